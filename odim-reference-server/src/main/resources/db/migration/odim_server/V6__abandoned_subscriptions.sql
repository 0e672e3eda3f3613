-- A subscription whose checkout never started (Paystack unavailable, or its answer lost) is
-- abandoned together with its payment intent instead of lingering as pending. Like a pending one
-- it was never activated; should its payment be reported paid after all, it activates as a pending
-- one would (the money is settled, never refused).
ALTER TABLE subscriptions
    DROP CONSTRAINT subscriptions_status_known,
    DROP CONSTRAINT subscriptions_activated_unless_pending;

ALTER TABLE subscriptions
    ADD CONSTRAINT subscriptions_status_known
        CHECK (status IN ('pending', 'active', 'past_due', 'ended', 'abandoned')),
    ADD CONSTRAINT subscriptions_activated_unless_pending
        CHECK ((status IN ('pending', 'abandoned')) = (activated_at IS NULL));
