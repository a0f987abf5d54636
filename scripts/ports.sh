# Sourced by scripts/pg.sh, deploy/scale-out-check.sh and bench/audit-chain/run.sh: loopback ports for servers they start.
#   port_in_use PORT     true when something answers on 127.0.0.1:PORT
#   random_listen_port   a random port from 10000 up to below the kernel's ephemeral range (ip_local_port_range), not
#                        answering now. Ephemeral ports are where outgoing connections (an instance to PostgreSQL, nginx
#                        to an instance) take their local port, so one could take a picked port before its listener binds
#                        it (seen once in CI: nginx "bind() … Address already in use"). The caller still retries or
#                        checks that the server came up: another process can take the port first.

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

random_listen_port() {
  local low p
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  ((low > 12000)) || low=32768
  while :; do
    p=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    port_in_use "$p" || { echo "$p"; return; }
  done
}
