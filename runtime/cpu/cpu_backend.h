/* Internal: the CPU backend: models compiled for the host or a CPU target. */
#ifndef EDGE_CPU_CPU_BACKEND_H_
#define EDGE_CPU_CPU_BACKEND_H_

#include "backend/backend.h"

extern const edge_backend_t edge_cpu_backend;

#endif /* EDGE_CPU_CPU_BACKEND_H_ */
