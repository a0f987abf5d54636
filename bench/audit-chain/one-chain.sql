BEGIN;
INSERT INTO sess(keyhash) VALUES (md5(random()::text));
SELECT pg_advisory_xact_lock(340463470697);
SELECT hash FROM audit WHERE chain = 0 ORDER BY id DESC LIMIT 1;
INSERT INTO audit(chain, prev, hash, actor, detail) VALUES (0, 'x', md5(random()::text), 'SYN000001A001', 'login');
COMMIT;
