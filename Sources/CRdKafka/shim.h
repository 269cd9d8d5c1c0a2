#ifndef BILLINGD_CRDKAFKA_SHIM_H
#define BILLINGD_CRDKAFKA_SHIM_H

/* The order matters: rdkafka_mock.h refuses to compile without rdkafka.h first. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Wrappers for the parts of the C API that Swift cannot call directly:
 * variadic functions and the tagged union rd_kafka_vu_t.
 */

/* Produces one message. On success librdkafka owns `headers` (may be NULL);
 * on failure the caller still owns them. The payload and key are copied. */
static inline rd_kafka_resp_err_t billing_produce(rd_kafka_t *rk,
                                                  const char *topic,
                                                  int32_t partition,
                                                  const void *key, size_t key_len,
                                                  const void *value, size_t value_len,
                                                  rd_kafka_headers_t *headers,
                                                  void *opaque) {
        rd_kafka_vu_t vus[7];
        size_t n = 0;
        vus[n].vtype = RD_KAFKA_VTYPE_TOPIC;
        vus[n].u.cstr = topic;
        n++;
        vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vus[n].u.i = RD_KAFKA_MSG_F_COPY;
        n++;
        if (partition != RD_KAFKA_PARTITION_UA) {
                vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
                vus[n].u.i32 = partition;
                n++;
        }
        if (key) {
                vus[n].vtype = RD_KAFKA_VTYPE_KEY;
                vus[n].u.mem.ptr = (void *)key;
                vus[n].u.mem.size = key_len;
                n++;
        }
        vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
        vus[n].u.mem.ptr = (void *)value;
        vus[n].u.mem.size = value ? value_len : 0;
        n++;
        vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
        vus[n].u.ptr = opaque;
        n++;
        if (headers) {
                vus[n].vtype = RD_KAFKA_VTYPE_HEADERS;
                vus[n].u.headers = headers;
                n++;
        }
        rd_kafka_error_t *error = rd_kafka_produceva(rk, vus, n);
        if (!error)
                return RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_resp_err_t code = rd_kafka_error_code(error);
        rd_kafka_error_destroy(error);
        return code;
}

/* The value of RD_KAFKA_PARTITION_UA (a macro Swift imports with the wrong width). */
static inline int32_t billing_partition_unassigned(void) {
        return RD_KAFKA_PARTITION_UA;
}

/* Pushes one error with a round-trip time onto a mock broker's request queue
 * (the library's function is variadic). */
static inline rd_kafka_resp_err_t billing_mock_broker_push_error_rtt(rd_kafka_mock_cluster_t *mcluster,
                                                                   int32_t broker_id,
                                                                   int16_t apikey,
                                                                   rd_kafka_resp_err_t err,
                                                                   int rtt_ms) {
        return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, apikey, 1, err, rtt_ms);
}

#endif
