// SPDX-License-Identifier: GPL-2.0
/*
 * TLS for vpced's HTTPS health checks (OpenSSL), on the checks' own
 * non-blocking sockets: every call returns at once, saying what it waits
 * for (TLS_WANT_READ or TLS_WANT_WRITE), and the check turns that into its
 * socket's epoll interest. As on the NLB the target's certificate is not
 * verified (targets commonly have self-signed ones): a check asks whether
 * the target answers, not who it is. The server name (SNI) is sent only
 * when the check has a host.
 *
 * One context for every check; a session lives as long as its check.
 * Nothing is cached between checks: each check is a full handshake, as a
 * new client's would be.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "vpced.h"

static SSL_CTX *ctx;

static SSL_CTX *tls_ctx(void)
{
	if (ctx)
		return ctx;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* A server that closes after its answer without close_notify. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	return ctx;
}

/* OpenSSL's reason for the last failure, into WHY. */
static void tls_why(SSL *ssl, int ret, char *why, size_t len)
{
	int err = SSL_get_error(ssl, ret);
	unsigned long e = ERR_peek_last_error();

	if (e) {
		const char *r = ERR_reason_error_string(e);

		snprintf(why, len, "TLS: %s", r ? r : "error");
	} else if (err == SSL_ERROR_SYSCALL && errno) {
		snprintf(why, len, "TLS: %s", strerror(errno));
	} else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
		snprintf(why, len, "TLS: the connection was closed");
	} else {
		snprintf(why, len, "TLS: error %d", err);
	}
	ERR_clear_error();
}

/* Map an OpenSSL return RET (<= 0) to TLS_WANT_* or TLS_FAILED. */
static int tls_result(SSL *ssl, int ret, char *why, size_t len)
{
	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_WRITE;
	default:
		tls_why(ssl, ret, why, len);
		return TLS_FAILED;
	}
}

SSL *tls_new(int fd, const char *host, char *why, size_t len)
{
	SSL_CTX *c = tls_ctx();
	SSL *ssl = c ? SSL_new(c) : NULL;

	if (!ssl || !SSL_set_fd(ssl, fd) ||
	    (*host && !SSL_set_tlsext_host_name(ssl, host))) {
		snprintf(why, len, "TLS: cannot set up: %s",
			 ERR_reason_error_string(ERR_peek_last_error()) ?: "out of memory");
		ERR_clear_error();
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

void tls_free(SSL *ssl)
{
	/* No close_notify: the socket is closed with a reset right after. */
	SSL_free(ssl);
}

int tls_handshake(SSL *ssl, char *why, size_t len)
{
	int ret;

	ERR_clear_error();
	ret = SSL_do_handshake(ssl);
	return ret == 1 ? 0 : tls_result(ssl, ret, why, len);
}

int tls_write(SSL *ssl, const void *buf, size_t n, char *why, size_t len)
{
	size_t done = 0;
	int ret;

	ERR_clear_error();
	ret = SSL_write_ex(ssl, buf, n, &done);
	return ret == 1 ? (int)done : tls_result(ssl, ret, why, len);
}

int tls_read(SSL *ssl, void *buf, size_t n, char *why, size_t len)
{
	size_t done = 0;
	int ret;

	ERR_clear_error();
	ret = SSL_read_ex(ssl, buf, n, &done);
	if (ret == 1)
		return (int)done;
	if (SSL_get_error(ssl, ret) == SSL_ERROR_ZERO_RETURN) {
		ERR_clear_error();
		return 0;
	}
	return tls_result(ssl, ret, why, len);
}

void tls_cleanup(void)
{
	SSL_CTX_free(ctx);
	ctx = NULL;
}
