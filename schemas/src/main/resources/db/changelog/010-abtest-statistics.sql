--liquibase formatted sql

-- promptloop :: abtest statistics conventions of issue 11 (gbstats conventions, numerically stable moments)
--
-- Centred moments: score_sum_sq / latency_sum_sq (Σx²) lose the variance when the mean is large against the spread
-- (mean 1e6, variance 1 read 0.99995). They are replaced by score_m2 / latency_m2 = Σ(x − mean)², merged per batch
-- by Chan, Golub & LeVeque's update; Σx stays (mean = sum / n). Existing rows are migrated from their power sums:
-- that conversion keeps whatever precision the sums still had; every observation after it is merged exactly.

--changeset promptloop:010-centred-moments
ALTER TABLE abtest.variant_statistics
    ADD COLUMN score_m2   double precision NOT NULL DEFAULT 0,
    ADD COLUMN latency_m2 double precision NOT NULL DEFAULT 0;
UPDATE abtest.variant_statistics
SET score_m2   = CASE WHEN score_n > 0 THEN greatest(0, score_sum_sq - score_sum * score_sum / score_n) ELSE 0 END,
    latency_m2 = CASE WHEN latency_n > 0 THEN greatest(0, latency_sum_sq - latency_sum * latency_sum / latency_n) ELSE 0 END;
ALTER TABLE abtest.variant_statistics
    DROP CONSTRAINT variant_statistics_score_sum_sq_check,
    DROP CONSTRAINT variant_statistics_latency_sum_check,
    DROP COLUMN score_sum_sq,
    DROP COLUMN latency_sum_sq,
    ADD CONSTRAINT variant_statistics_score_m2_check CHECK (score_m2 >= 0),
    ADD CONSTRAINT variant_statistics_latency_sum_check CHECK (latency_sum >= 0 AND latency_m2 >= 0);
COMMENT ON COLUMN abtest.variant_statistics.score_m2 IS 'Centred sum of squares of the scores, sum((x - mean)^2): variance = score_m2 / (score_n - 1). Merged by Chan et al.';
COMMENT ON COLUMN abtest.variant_statistics.latency_m2 IS 'Centred sum of squares of the latencies in ms: variance = latency_m2 / (latency_n - 1). Merged by Chan et al.';
COMMENT ON COLUMN abtest.variant_statistics.latency_sum IS 'Sum of latencies in ms.';
ALTER TABLE abtest.rollout_statistics
    ADD COLUMN score_m2   double precision NOT NULL DEFAULT 0,
    ADD COLUMN latency_m2 double precision NOT NULL DEFAULT 0;
UPDATE abtest.rollout_statistics
SET score_m2   = CASE WHEN score_n > 0 THEN greatest(0, score_sum_sq - score_sum * score_sum / score_n) ELSE 0 END,
    latency_m2 = CASE WHEN latency_n > 0 THEN greatest(0, latency_sum_sq - latency_sum * latency_sum / latency_n) ELSE 0 END;
ALTER TABLE abtest.rollout_statistics
    DROP COLUMN score_sum_sq,
    DROP COLUMN latency_sum_sq,
    ADD CONSTRAINT rollout_statistics_score_m2_check CHECK (score_m2 >= 0),
    ADD CONSTRAINT rollout_statistics_latency_m2_check CHECK (latency_m2 >= 0);
COMMENT ON COLUMN abtest.rollout_statistics.score_m2 IS 'Centred sum of squares of the scores (as variant_statistics.score_m2).';
COMMENT ON COLUMN abtest.rollout_statistics.latency_m2 IS 'Centred sum of squares of the latencies (as variant_statistics.latency_m2).';
--rollback ALTER TABLE abtest.variant_statistics ADD COLUMN score_sum_sq double precision NOT NULL DEFAULT 0, ADD COLUMN latency_sum_sq double precision NOT NULL DEFAULT 0;
--rollback UPDATE abtest.variant_statistics SET score_sum_sq = score_m2 + CASE WHEN score_n > 0 THEN score_sum * score_sum / score_n ELSE 0 END, latency_sum_sq = latency_m2 + CASE WHEN latency_n > 0 THEN latency_sum * latency_sum / latency_n ELSE 0 END;
--rollback ALTER TABLE abtest.variant_statistics DROP CONSTRAINT variant_statistics_score_m2_check, DROP CONSTRAINT variant_statistics_latency_sum_check, DROP COLUMN score_m2, DROP COLUMN latency_m2, ADD CONSTRAINT variant_statistics_score_sum_sq_check CHECK (score_sum_sq >= 0), ADD CONSTRAINT variant_statistics_latency_sum_check CHECK (latency_sum >= 0 AND latency_sum_sq >= 0);
--rollback ALTER TABLE abtest.rollout_statistics ADD COLUMN score_sum_sq double precision NOT NULL DEFAULT 0, ADD COLUMN latency_sum_sq double precision NOT NULL DEFAULT 0;
--rollback UPDATE abtest.rollout_statistics SET score_sum_sq = score_m2 + CASE WHEN score_n > 0 THEN score_sum * score_sum / score_n ELSE 0 END, latency_sum_sq = latency_m2 + CASE WHEN latency_n > 0 THEN latency_sum * latency_sum / latency_n ELSE 0 END;
--rollback ALTER TABLE abtest.rollout_statistics DROP CONSTRAINT rollout_statistics_score_m2_check, DROP CONSTRAINT rollout_statistics_latency_m2_check, DROP COLUMN score_m2, DROP COLUMN latency_m2;
