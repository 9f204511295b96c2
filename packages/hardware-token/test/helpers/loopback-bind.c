/*
 * LD_PRELOAD shim for the test pcscd: vpcd (vsmartcard 3.3) binds its virtual-card port to
 * INADDR_ANY and has no option for the address. This bind() replaces INADDR_ANY with
 * 127.0.0.1 for IPv4 sockets, so the port is reachable from this machine only. vpcd's reverse
 * mode (DEVICENAME host:port) would avoid listening, but in 3.3 it aborts pcscd ("bit out of
 * range 0 - FD_SETSIZE on fd_set") as soon as the card side closes the connection, which is
 * how the tests remove a card. Test code only.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int bind(int fd, const struct sockaddr *address, socklen_t length)
{
    static int (*next_bind)(int, const struct sockaddr *, socklen_t);
    if (!next_bind)
        next_bind = (int (*)(int, const struct sockaddr *, socklen_t)) dlsym(RTLD_NEXT, "bind");

    if (address && address->sa_family == AF_INET && length >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in loopback;
        memcpy(&loopback, address, sizeof loopback);
        if (loopback.sin_addr.s_addr == htonl(INADDR_ANY))
            loopback.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return next_bind(fd, (const struct sockaddr *) &loopback, sizeof loopback);
    }
    return next_bind(fd, address, length);
}
