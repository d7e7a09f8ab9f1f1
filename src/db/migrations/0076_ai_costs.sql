-- AI routing, limits and cost (README "AI analysis"): an analysis's cost is unknown (null), not
-- zero, when its model has no price in AI_PRICES; usage counts such calls so a day's total can
-- say it is incomplete; an analysis records the priority it was routed by; and the budget check
-- sums today's cost over every provider and DAO.

alter table ai_analyses alter column cost_usd drop not null;
alter table ai_analyses alter column cost_usd drop default;
alter table ai_analyses add column priority text;

alter table ai_usage add column unpriced_calls integer not null default 0;
