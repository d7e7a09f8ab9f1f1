-- How precise a stored time is: 'second' for times the source gives in full, 'day' for times it
-- gives as a date only (e.g. the Tokenomics export's votes and proposals). A day-precision time is
-- stored as that day's 00:00 UTC and shown as the date alone, never with a made-up time of day.
ALTER TABLE "votes" ADD COLUMN "created_precision" text DEFAULT 'second' NOT NULL
  CHECK ("created_precision" IN ('day', 'second'));
ALTER TABLE "proposals" ADD COLUMN "time_precision" text DEFAULT 'second' NOT NULL
  CHECK ("time_precision" IN ('day', 'second'));
