/* Unix stream sockets for consoles and the control channel. */
#ifndef TANDEM_UNIX_SOCKET_H
#define TANDEM_UNIX_SOCKET_H

/* A non-blocking listening socket at path (a stale socket there is
 * replaced; any other file is left alone: EEXIST). -1 with errno on failure. */
int unix_listen(const char *path);
/* A connected (blocking) socket, or -1 with errno. */
int unix_connect(const char *path);

#endif
