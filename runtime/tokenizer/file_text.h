/* Internal: a whole file read into memory, for the JSON files libedgetok opens. */
#ifndef EDGE_TOKENIZER_FILE_TEXT_H_
#define EDGE_TOKENIZER_FILE_TEXT_H_

#include <stddef.h>

#include "edge/edgert.h"

/* The bytes of `path` (*out_text malloc'ed, the caller frees it). Errors: NOT_FOUND,
 * RESOURCE_EXHAUSTED; both name the path. */
edge_status_t edge_read_file_text(const char *path, char **out_text, size_t *out_size);

#endif /* EDGE_TOKENIZER_FILE_TEXT_H_ */
