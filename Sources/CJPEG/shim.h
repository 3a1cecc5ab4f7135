#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

/* libjpeg reports fatal errors by calling error_exit, which must not return.
 * Swift cannot setjmp, so decoding and encoding run inside these C helpers:
 * error_exit longjmps back here and the helper returns the message instead. */

struct assay_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static inline void assay_jpeg_error_exit(j_common_ptr cinfo) {
    struct assay_jpeg_error *err = (struct assay_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

static inline void assay_jpeg_quiet(j_common_ptr cinfo, int level) { (void)cinfo; (void)level; }

/* While decoding, a warning (level -1) means corrupt or truncated data ("Premature end of JPEG
 * file", "Corrupt JPEG data: ..."): libjpeg would fill the rest with grey and carry on, so it is
 * treated as the error it is. Trace messages (level >= 0) stay quiet. */
static inline void assay_jpeg_strict(j_common_ptr cinfo, int level) {
    if (level < 0) assay_jpeg_error_exit(cinfo);
}

/* Installs the error manager: errors longjmp to jerr->jump with their text in jerr->message;
 * `emit` decides which warnings are errors. Returns what goes in cinfo.err. */
static inline struct jpeg_error_mgr *assay_jpeg_errors(struct assay_jpeg_error *jerr, void (*emit)(j_common_ptr, int)) {
    struct jpeg_error_mgr *manager = jpeg_std_error(&jerr->base);
    jerr->base.error_exit = assay_jpeg_error_exit;
    jerr->base.emit_message = emit;
    jerr->message[0] = 0;
    return manager;
}

static inline void assay_jpeg_copy_message(char *dst, size_t size, const char *src) {
    if (size == 0) return;
    strncpy(dst, src, size - 1);
    dst[size - 1] = 0;
}

/* The image size in a JPEG's header, without decoding it. Returns 0 on success. */
static inline int assay_jpeg_size(const unsigned char *data, unsigned long size, int *out_width, int *out_height,
                                  char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    struct assay_jpeg_error jerr;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = assay_jpeg_errors(&jerr, assay_jpeg_strict);
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        assay_jpeg_copy_message(message, message_size, jerr.message);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    *out_width = (int)cinfo.image_width;
    *out_height = (int)cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

/* Decodes a JPEG held in memory to 8-bit grey (want_grey != 0) or RGB rows, at 1/scale_denom
 * of its size (1, 2, 4 or 8: libjpeg-turbo's scaled inverse DCT averages as it shrinks and skips
 * most of the work; sizes round up). The accurate integer inverse DCT (JDCT_ISLOW, libjpeg's
 * default), full size or scaled, gives the same bytes with or without libjpeg-turbo's SIMD code
 * (AVX2, SSE2, none); the floating-point one does not, and the fast integer one saves nothing
 * here (entropy decoding dominates) while losing accuracy. The rows go into `buffer` when it is
 * given and holds `capacity` bytes, enough for them (else it is an error); without one, into a
 * malloc'ed block the caller frees. On success returns 0 and the pixels' address in out_pixels. */
static inline int assay_jpeg_decode_scaled(const unsigned char *data, unsigned long size, int want_grey, int scale_denom,
                                           unsigned char *buffer, size_t capacity,
                                           unsigned char **out_pixels, int *out_width, int *out_height,
                                           int *out_channels, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    struct assay_jpeg_error jerr;
    unsigned char *volatile pixels = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = assay_jpeg_errors(&jerr, assay_jpeg_strict);
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        if (buffer == NULL) free(pixels);
        assay_jpeg_copy_message(message, message_size, jerr.message);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = want_grey ? JCS_GRAYSCALE : JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)scale_denom;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if (buffer != NULL) {
        if (stride * cinfo.output_height > capacity) {
            jpeg_destroy_decompress(&cinfo);
            assay_jpeg_copy_message(message, message_size, "the decoded image is larger than its header said");
            return 1;
        }
        pixels = buffer;
    } else {
        pixels = (unsigned char *)malloc(stride * cinfo.output_height + 1);
    }
    if (pixels == NULL) {
        jpeg_destroy_decompress(&cinfo);
        assay_jpeg_copy_message(message, message_size, "out of memory");
        return 1;
    }
    /* As many rows per call as libjpeg gives (a row group), not one: fewer calls through its pipeline. */
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[16];
        JDIMENSION wanted = cinfo.output_height - cinfo.output_scanline;
        if (wanted > 16) wanted = 16;
        for (JDIMENSION k = 0; k < wanted; k++) rows[k] = pixels + (size_t)(cinfo.output_scanline + k) * stride;
        jpeg_read_scanlines(&cinfo, rows, wanted);
    }
    jpeg_finish_decompress(&cinfo);
    *out_width = (int)cinfo.output_width;
    *out_height = (int)cinfo.output_height;
    *out_channels = cinfo.output_components;
    *out_pixels = pixels;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

/* Encodes interleaved 8-bit grey (channels 1) or RGB (channels 3) rows as a
 * baseline JPEG in memory. On success returns 0 and a malloc'ed buffer. */
static inline int assay_jpeg_encode(const unsigned char *pixels, int width, int height, int channels,
                                    int quality, unsigned char **out_data, unsigned long *out_size,
                                    char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    struct assay_jpeg_error jerr;
    unsigned char *mem = NULL;   /* written by libjpeg's memory destination */
    unsigned long buffer_size = 0;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = assay_jpeg_errors(&jerr, assay_jpeg_quiet);
    if (setjmp(jerr.jump)) {
        jpeg_destroy_compress(&cinfo);
        /* libjpeg stored the buffer through &mem; read it from memory, not a register. */
        free(*(unsigned char *volatile *)&mem);
        assay_jpeg_copy_message(message, message_size, jerr.message);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &mem, &buffer_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    *out_data = mem;
    *out_size = buffer_size;
    jpeg_destroy_compress(&cinfo);
    return 0;
}
