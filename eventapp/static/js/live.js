// The live board reloads its tables every few seconds (a small GET; no held connection),
// unless a button in it has the focus (someone is about to tap it).
const board = document.getElementById("board");
if (board && board.dataset.poll) {
  const refresh = async () => {
    if (document.hidden || board.contains(document.activeElement)) return;
    try {
      const response = await fetch(board.dataset.poll, {credentials: "same-origin"});
      if (response.ok) board.innerHTML = await response.text();
    } catch (_error) { /* offline for a moment: the next round tries again */ }
  };
  setInterval(refresh, 5000);
}
