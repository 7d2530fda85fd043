"""The one room that talks to Telegram: error kinds (`errors`), sending and editing (`send`),
the rate-limited outbox sender (`outbox`) and the consultants' chat (`desk`)."""
