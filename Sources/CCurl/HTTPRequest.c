// One request of the remote cache's client over libcurl's easy interface (loaded by LazyCurl.c on
// the first request; a machine without libcurl gets an error to report, not a stopped process).
#define _POSIX_C_SOURCE 200809L  // fileno
#include "LazyCurl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void fail(assay_http_response *response, assay_http_failure failure, const char *message) {
    response->failure = failure;
    snprintf(response->message, sizeof response->message, "%s", message);
}

struct assay_http_client {
    CURL *handle;
};

assay_http_client *assay_http_client_open(assay_http_response *response) {
    memset(response, 0, sizeof *response);
    const char *why = NULL;
    if (!assay_curl_load(&why)) {
        fail(response, assay_http_library_missing, why);
        return NULL;
    }
    assay_http_client *client = calloc(1, sizeof *client);
    if (client != NULL) client->handle = curl_easy_init();
    if (client == NULL || client->handle == NULL) {
        free(client);
        fail(response, assay_http_other, "libcurl could not create a handle (out of memory)");
        return NULL;
    }
    return client;
}

void assay_http_client_close(assay_http_client *client) {
    if (client == NULL) return;
    curl_easy_cleanup(client->handle);
    free(client);
}

void assay_http_response_free(assay_http_response *response) {
    free(response->body);
    response->body = NULL;
    response->body_length = 0;
}

// The answer's body, appended as it arrives.
static size_t receive(char *data, size_t size, size_t count, void *context) {
    assay_http_response *response = context;
    size_t length = size * count;
    unsigned char *grown = realloc(response->body, response->body_length + length + 1);
    if (grown == NULL) return 0;  // libcurl stops with CURLE_WRITE_ERROR
    memcpy(grown + response->body_length, data, length);
    response->body = grown;
    response->body_length += length;
    return length;
}

// A body sent from memory.
struct outgoing {
    const unsigned char *bytes;
    size_t length;
    size_t sent;
};

static size_t send_bytes(char *buffer, size_t size, size_t count, void *context) {
    struct outgoing *body = context;
    size_t room = size * count, left = body->length - body->sent;
    size_t n = left < room ? left : room;
    memcpy(buffer, body->bytes + body->sent, n);
    body->sent += n;
    return n;
}

static assay_http_failure classify(CURLcode code) {
    switch (code) {
    case CURLE_COULDNT_CONNECT: return assay_http_refused;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return assay_http_unknown_host;
    case CURLE_OPERATION_TIMEDOUT: return assay_http_timed_out;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return assay_http_connection_lost;
    case CURLE_WEIRD_SERVER_REPLY: return assay_http_malformed_reply;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT: return assay_http_tls_failed;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT: return assay_http_bad_url;
    default: return assay_http_other;
    }
}

int assay_http_perform(assay_http_client *client, const assay_http_request *request, assay_http_response *response) {
    memset(response, 0, sizeof *response);
    CURL *h = client->handle;
    curl_easy_reset(h);  // forgets the last request's options, keeps its open connections

    FILE *file = NULL;
    struct outgoing body = {request->body, request->body_length, 0};
    char error[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    for (size_t i = 0; i < request->header_count; i++) headers = curl_slist_append(headers, request->headers[i]);
    // No `Expect: 100-continue` on uploads: a server that ignores it would cost a second per PUT.
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(h, CURLOPT_URL, request->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for name lookups
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // A request fails when it stays silent (under a byte a second) for the timeout, however long it takes.
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, request->timeout_seconds);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, request->timeout_seconds);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, receive);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, response);

    if (strcmp(request->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(request->method, "PUT") == 0) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        if (request->body != NULL || request->body_path == NULL) {
            curl_easy_setopt(h, CURLOPT_READFUNCTION, send_bytes);
            curl_easy_setopt(h, CURLOPT_READDATA, &body);
            curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)request->body_length);
        } else {
            struct stat info;
            file = fopen(request->body_path, "rb");
            if (file == NULL || fstat(fileno(file), &info) != 0) {
                char message[256];
                snprintf(message, sizeof message, "cannot read %s: %s", request->body_path, strerror(errno));
                if (file != NULL) fclose(file);
                curl_easy_reset(h);  // its options point at this frame
                curl_slist_free_all(headers);
                fail(response, assay_http_file_unreadable, message);
                return 0;
            }
            // libcurl's default read function reads this FILE with fread.
            curl_easy_setopt(h, CURLOPT_READDATA, file);
            curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)info.st_size);
        }
    }

    CURLcode code = curl_easy_perform(h);
    long status = 0;
    if (code == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    // The options point at this frame's buffers: clear them before it ends.
    curl_easy_reset(h);
    if (file != NULL) fclose(file);
    curl_slist_free_all(headers);
    if (code != CURLE_OK) {
        assay_http_response_free(response);
        fail(response, classify(code), error[0] != '\0' ? error : "libcurl gave no reason");
        return 0;
    }
    response->status = status;
    return 1;
}
