BEGIN;
INSERT INTO sess(keyhash) VALUES (md5(random()::text));
INSERT INTO audit(chain, prev, hash, actor, detail) VALUES (0, 'x', md5(random()::text), 'SYN000001A001', 'login');
COMMIT;
