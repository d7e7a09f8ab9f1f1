-- A watched address (delegate) lives in one place only: the `addresses` option of a subscription
-- to delegate.not_voted (src/db/queries/notifications.ts watchedAddresses). The separate table
-- duplicated it: the detector read the table while delivery filtered by the option, so an address
-- given through the API was never watched, and a table entry reached subscribers who named none.
-- Nothing but code wrote the table (no route or command), so its rows have no owner to move to.
drop table watched_addresses;
