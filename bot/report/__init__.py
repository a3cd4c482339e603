"""The service review: the figures a business owner reads at a monthly or quarterly review.

Everything here is computed from plain values handed in (`History`), so a seeded history
gives known answers; reading the store is `bot.services.report`'s job, drawing the page is
the composition root's (`bot.app.report`).
"""
