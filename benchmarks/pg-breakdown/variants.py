"""Writes the SQL script of one variant of benchmarks/pg-breakdown/run.sh (one transaction per batch)."""
import sys
B=120
UPS="""INSERT INTO conversation.prompt_tuning_sessions AS s (id, agent_name, predictor_name, session_start, master_prompt_version, branch_name, tester_id, tester_email, tester_name, metadata, started_explicitly, session_end, end_reason, total_turns)
SELECT p.id, 'agent', 'answer', now(), NULL, NULL, NULL, NULL, NULL, '{}'::jsonb, false, NULL::timestamptz, NULL, p.turns FROM unnest(%s) AS p(id, turns)
ON CONFLICT (id) DO UPDATE SET session_start = LEAST(s.session_start, EXCLUDED.session_start),
 agent_name = CASE WHEN EXCLUDED.started_explicitly THEN EXCLUDED.agent_name ELSE s.agent_name END,
 predictor_name = CASE WHEN EXCLUDED.started_explicitly THEN EXCLUDED.predictor_name ELSE s.predictor_name END,
 master_prompt_version = COALESCE(EXCLUDED.master_prompt_version, s.master_prompt_version),
 branch_name = COALESCE(EXCLUDED.branch_name, s.branch_name), tester_id = COALESCE(EXCLUDED.tester_id, s.tester_id),
 tester_email = COALESCE(EXCLUDED.tester_email, s.tester_email), tester_name = COALESCE(EXCLUDED.tester_name, s.tester_name),
 metadata = s.metadata || EXCLUDED.metadata, started_explicitly = s.started_explicitly OR EXCLUDED.started_explicitly,
 session_end = GREATEST(s.session_end, EXCLUDED.session_end),
 end_reason = CASE WHEN EXCLUDED.session_end IS NOT NULL AND (s.session_end IS NULL OR EXCLUDED.session_end >= s.session_end) THEN EXCLUDED.end_reason ELSE s.end_reason END,
 total_turns = s.total_turns + EXCLUDED.total_turns, updated_at = now()
 WHERE EXCLUDED.started_explicitly OR EXCLUDED.session_end IS NOT NULL OR EXCLUDED.session_start < s.session_start OR EXCLUDED.total_turns > 0;"""
UPD="UPDATE conversation.prompt_tuning_sessions s SET total_turns = s.total_turns + d.turns, updated_at = now() FROM unnest(%s) AS d(id, turns) WHERE s.id = d.id;"
FIND="SELECT count(*) FROM (SELECT t.session_id, t.turn_number, t.id FROM conversation.tuning_conversation_turns t JOIN unnest(%s) AS r(session_id, turn_number) USING (session_id, turn_number)) x;"
v=sys.argv[1]
out=[]
for b in range(B):
    s=open(f'b/s{b}.txt').read(); r=open(f'b/r{b}.txt').read()
    out.append('BEGIN;')
    if v=='V3': out.append(FIND%r)
    if v in('V2','V3','V5'): out.append(UPS%s)
    if v=='V4': out.append(UPD%s)
    tbl='conversation.turns_nofk' if v in('V0','V0B') else 'conversation.tuning_conversation_turns'
    src=f"'b/t{b}.bin' (FORMAT binary)" if v in('V0B','V5') else f"'b/t{b}.tsv'"
    out.append(f"\\copy {tbl} (id, session_id, turn_number, user_message, agent_response, occurred_at, processing_time_ms, search_results, avg_similarity, total_chunks, confidence_score, template_used, instruction_id, metadata) from {src}")
    out.append('COMMIT;')
open(f'{v}.sql','w').write('\n'.join(out)+'\n')
