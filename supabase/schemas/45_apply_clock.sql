-- The rule every synced write follows: which of a row and an event wins.
--
-- Each synced row remembers the clock of the event that last wrote it, as
-- (event_at, event_id). Comparing the pair breaks ties of equal timestamps by message
-- id, so the final row never depends on arrival order.
--
-- Deletes are terminal. Clerk never reuses an id: a deleted user, organization or
-- membership never comes back. So
--   * an update writes a live row (or a missing one) only when it is newer;
--   * a delete always ends a live row, whatever its clock: an event dated in the
--     future, or a clock skewed between Clerk's services, cannot keep a deleted object
--     alive;
--   * once a row is a tombstone, no update writes it again, and a second delete
--     writes it only when newer, so the tombstone carries the newest delete's clock.
-- The final row is therefore a function of the set of events, not of their order: the
-- newest delete if there is one, else the newest update
-- (tests/reliability/convergence.test.ts checks it).
--
-- Future clocks are also clamped where events enter (60_apply_event.sql), so that an
-- update dated years ahead cannot make every later update of its object stale.

-- True when an event (a tombstone or not, with its clock) is to be written over a row
-- in the given state. Written as a plain SQL expression with no settings, so that the
-- planner inlines it into the guards that call it.
create function private.event_wins(
  p_row_deleted boolean, p_row_event_at timestamptz, p_row_event_id text,
  p_tombstone boolean, p_event_at timestamptz, p_event_id text
)
returns boolean
language sql
immutable
parallel safe
return case
  when p_row_deleted then p_tombstone and (p_row_event_at, p_row_event_id) < (p_event_at, p_event_id)
  when p_tombstone then true
  else (p_row_event_at, p_row_event_id) < (p_event_at, p_event_id)
end;

revoke all on function private.event_wins(boolean, timestamptz, text, boolean, timestamptz, text)
from public, anon, authenticated;
