#ifndef CMOCK_LISTENER_H
#define CMOCK_LISTENER_H

/*
 * A fixed port for librdkafka's mock cluster.
 *
 * librdkafka 2.0.2 binds each mock broker's listener to 127.0.0.1 port 0 (any free port) and offers no
 * way to choose one. A broker that is restarted would then come back on another port, and clients
 * that had its address could not reach it. This file defines `bind`, which takes precedence over the C
 * library's for the whole process: it forwards every call unchanged, except the next bind to
 * 127.0.0.1:0 on the calling thread after billingd_mock_listener_port(port), which it makes a bind to
 * that port. rd_kafka_mock_cluster_new creates its brokers' listeners on the calling thread, so arming
 * the port just before that call and disarming it just after touches nothing else.
 */

/* Arms (port > 0) or disarms (0) the fixed port for the calling thread's next loopback bind to port 0. */
void billingd_mock_listener_port(int port);

/* Whether a listener could bind 127.0.0.1:port now (with SO_REUSEADDR, as the mock's does): 0 when it
 * could, else the errno of the failure. librdkafka 2.0.2 aborts the process when a mock broker cannot
 * bind, so the port is tried first. */
int billingd_mock_listener_port_available(int port);

/* Whether the armed port was used (and disarmed) by a bind since it was armed. */
int billingd_mock_listener_port_used(void);

#endif
