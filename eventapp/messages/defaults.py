"""The texts an event's automatic messages start with, in English and Japanese; the
organiser edits them per event. Who each goes to is fixed by its kind."""

from ..models import MessageKind, Status

# kind: (audience, days, subject, subject_ja, body, body_ja)
AUTOMATIC = {
    MessageKind.REMINDER: (
        {"status": [Status.CONFIRMED]}, 2,
        "See you soon", "まもなく開催です",
        "Dear {name},\n\nThank you for registering. We look forward to seeing you at the "
        "event.\n\nPlease show the QR code of your ticket at the entrance:\n{ticket_url}\n\n"
        "Your programme and meetings:\n{agenda_url}",
        "{name} 様\n\nご登録ありがとうございます。当日お目にかかれることを楽しみにしております。"
        "\n\n受付ではチケットのQRコードをご提示ください。\n{ticket_url}\n\n"
        "プログラムと面談の予定はこちらです。\n{agenda_url}"),
    MessageKind.THANKS: (
        {"status": [Status.CONFIRMED], "checked_in": True}, 1,
        "Thank you for coming", "ご来場ありがとうございました",
        "Dear {name},\n\nThank you for taking part in the event. We hope the discussions "
        "and meetings were useful, and we look forward to seeing you again.",
        "{name} 様\n\n本日はご参加いただき、誠にありがとうございました。"
        "有意義な議論と面談の場となりましたら幸いです。またお目にかかれることを楽しみにしております。"),
    MessageKind.MISSED: (
        {"status": [Status.CONFIRMED], "checked_in": False}, 1,
        "Sorry we missed you", "ご参加いただけず残念でした",
        "Dear {name},\n\nWe are sorry we did not see you at the event. The presentations "
        "and materials are available from the organisers on request; we hope to see you "
        "at a future event.",
        "{name} 様\n\n当日お目にかかれず残念でした。発表資料をご希望の場合は事務局までお知らせください。"
        "次回のイベントでお目にかかれることを楽しみにしております。"),
}
