// One HTTP request at a time over libcurl's easy interface, loaded on first use (see LazyCurl.c).
// Plain C types only: Swift never sees <curl/curl.h>, whose setopt is variadic.
#ifndef ASSAY_CCURL_H
#define ASSAY_CCURL_H

#include <stddef.h>

/// Why a request got no HTTP answer; the caller words it.
typedef enum {
    assay_http_ok = 0,
    assay_http_library_missing,   // libcurl.so.4 could not be loaded; `message` has the loader's reason
    assay_http_refused,           // nothing listens there
    assay_http_unknown_host,
    assay_http_timed_out,         // silent for longer than the timeout
    assay_http_connection_lost,   // the server closed or reset the connection mid-request
    assay_http_malformed_reply,
    assay_http_tls_failed,
    assay_http_bad_url,
    assay_http_file_unreadable,   // the file to upload; `message` has the system's reason
    assay_http_other              // `message` has libcurl's words
} assay_http_failure;

typedef struct {
    const char *method;                // "GET", "HEAD" or "PUT"
    const char *url;
    const char *const *headers;        // "Name: value" lines
    size_t header_count;
    const unsigned char *body;         // PUT from memory, or NULL
    size_t body_length;
    const char *body_path;             // PUT from this file when `body` is NULL
    long timeout_seconds;              // for connecting, and for any silence after that
} assay_http_request;

typedef struct {
    assay_http_failure failure;
    long status;                       // the HTTP status when `failure` is assay_http_ok
    unsigned char *body;               // owned: release with assay_http_response_free
    size_t body_length;
    char message[256];
} assay_http_response;

/// An open client: one libcurl easy handle, which keeps its connections alive between requests.
typedef struct assay_http_client assay_http_client;

/// A new client, loading libcurl on the first call; NULL with `response->failure` set when it cannot.
assay_http_client *assay_http_client_open(assay_http_response *response);
void assay_http_client_close(assay_http_client *client);

/// Sends one request and waits for the whole answer. Returns 1 when an HTTP status arrived.
int assay_http_perform(assay_http_client *client, const assay_http_request *request, assay_http_response *response);
void assay_http_response_free(assay_http_response *response);

/// Whether libcurl is loaded in this process (1) or not yet (0): only a run with a remote loads it.
int assay_http_is_loaded(void);

#endif
