#define _GNU_SOURCE
#include "cmock_listener.h"

#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

static __thread int armed_port = 0;
static __thread int port_used = 0;

void billingd_mock_listener_port(int port) {
        armed_port = port > 0 && port < 65536 ? port : 0;
        port_used = 0;
}

int billingd_mock_listener_port_used(void) {
        return port_used;
}

int billingd_mock_listener_port_available(int port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0)
                return errno;
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        struct sockaddr_in address = {0};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons((unsigned short)port);
        int result = 0;
        if (bind(fd, (const struct sockaddr *)&address, sizeof(address)) != 0 || listen(fd, 1) != 0)
                result = errno;
        close(fd);
        return result;
}

typedef int (*bind_function)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *address, socklen_t length) {
        static bind_function next_bind = NULL;
        if (!next_bind) {
                next_bind = (bind_function)dlsym(RTLD_NEXT, "bind");
                if (!next_bind) {
                        errno = ENOSYS;
                        return -1;
                }
        }
        if (armed_port && address && address->sa_family == AF_INET && length >= (socklen_t)sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *inet = (const struct sockaddr_in *)address;
                if (inet->sin_port == 0 && inet->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
                        struct sockaddr_in fixed = *inet;
                        fixed.sin_port = htons((unsigned short)armed_port);
                        armed_port = 0;
                        port_used = 1;
                        return next_bind(fd, (const struct sockaddr *)&fixed, sizeof(fixed));
                }
        }
        return next_bind(fd, address, length);
}
