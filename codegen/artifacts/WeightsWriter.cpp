//===- WeightsWriter.cpp - NAME.weights (runtime/include/edge/weights_format.h) ===//
#include "codegen/artifacts/Artifacts.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "edge/checksum.h"
#include "edge/fnv1a.h"
#include "edge/model_abi.h"
#include "edge/weights_format.h"
#include "edge/quantize.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace edge {

static uint64_t alignTo64(uint64_t value) { return (value + 63) / 64 * 64; }

// The quantizer (edge/quantize.h, inlined here) is most of a compile's time at 1B
// parameters: on x86-64 it is built for AVX-512 and AVX2 as well, picked at load time by
// the CPU. Its sums run in fixed lanes without contraction, so every version writes the
// same bytes.
#if defined(__x86_64__) && defined(__clang__) && defined(__linux__)
#define EDGE_QUANTIZER_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define EDGE_QUANTIZER_CLONES
#endif

EDGE_QUANTIZER_CLONES llvm::Expected<QuantizationError> quantizeMatrix(llvm::ArrayRef<uint8_t> bytes, int64_t rows, int64_t k, bool fromKN,
                                                 uint32_t dtype, int64_t block,
                                                 llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  if (bytes.size() != static_cast<size_t>(rows * k) * sizeof(float))
    return llvm::createStringError(llvm::Twine(bytes.size()) + " bytes of data for " + llvm::Twine(rows * k) +
                                   " f32 values");
  const float *values = reinterpret_cast<const float *>(bytes.data());
  // _x4: rows quantized as the base format, each four interleaved before they are written.
  const bool x4 = edge_weights_is_x4(dtype);
  dtype = edge_weights_base_dtype(dtype);
  if (x4 && (rows % 4 != 0 || block % 32 != 0))
    return llvm::createStringError(llvm::Twine(rows) + " rows in blocks of " + llvm::Twine(block) +
                                   " cannot be interleaved by four");
  // Rows are gathered a group at a time: from [K, N] each of the K reads of a group is one
  // contiguous run of the group's columns, not a cache miss per value.
  constexpr int64_t kGroup = 16;
  std::vector<float> group(kGroup * k), back(k);
  const size_t rowBytes = k / block * edge_weights_block_bytes(dtype, block);
  std::vector<uint8_t> packed(rowBytes * (x4 ? 4 : 1)), interleaved(x4 ? 4 * rowBytes : 0);
  double error = 0, norm = 0;
  QuantizationError result;
  for (int64_t first = 0; first < rows; first += kGroup) {
    const int64_t count = std::min(kGroup, rows - first);
    if (fromKN) {
      for (int64_t j = 0; j < k; ++j)
        for (int64_t g = 0; g < count; ++g) group[g * k + j] = values[j * rows + first + g];
    } else {
      std::memcpy(group.data(), values + first * k, static_cast<size_t>(count * k) * sizeof(float));
    }
    for (int64_t g = 0; g < count; ++g) {
      const float *row = group.data() + g * k;
      uint8_t *stored = packed.data() + (x4 ? (first + g) % 4 * rowBytes : 0);
      edge_quantize_row(dtype, row, k, block, stored);
      edge_dequantize_row(dtype, stored, k, block, back.data());
      // Per row in 16 float lanes (K is a multiple of 16), summed over rows in double.
      constexpr int kLanes = 16;
      float squares[kLanes] = {}, norms[kLanes] = {}, largest[kLanes] = {};
      for (int64_t j = 0; j < k; j += kLanes)
        for (int l = 0; l < kLanes; ++l) {
          const float difference = back[j + l] - row[j + l];
          squares[l] += difference * difference, norms[l] += row[j + l] * row[j + l];
          largest[l] = std::max(largest[l], std::fabs(difference));
        }
      for (int l = 0; l < kLanes; ++l) {
        error += squares[l], norm += norms[l];
        result.maxAbs = std::max(result.maxAbs, double(largest[l]));
      }
      if (!x4) {
        consume(packed);
      } else if ((first + g) % 4 == 3) {
        const uint8_t *four[4] = {packed.data(), packed.data() + rowBytes, packed.data() + 2 * rowBytes,
                                  packed.data() + 3 * rowBytes};
        edge_weights_interleave4(dtype, static_cast<uint64_t>(k / block), static_cast<uint64_t>(block), four,
                                 interleaved.data());
        consume(interleaved);
      }
    }
  }
  result.relRmse = norm > 0 ? std::sqrt(error / norm) : 0;
  return result;
}

/// The whole source tensor of record `index` (packing and quantizing need all of it, one
/// tensor at a time).
static llvm::Expected<std::vector<uint8_t>> readSource(WeightSource &source, size_t index, uint64_t sourceBytes) {
  std::vector<uint8_t> bytes;
  bytes.reserve(sourceBytes);
  QuantizationError unused;
  if (llvm::Error error = source.stream(index, [&](llvm::ArrayRef<uint8_t> chunk) {
        bytes.insert(bytes.end(), chunk.begin(), chunk.end());
      }, &unused))
    return std::move(error);
  return bytes;
}

/// Quantizes the f32 source row by row (a row = K values of one output channel) as the
/// record says, measuring the error against the source.
static llvm::Error streamQuantized(WeightRecord &weight, size_t index, WeightSource &source,
                                   llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  auto bytes = readSource(source, index, weight.sourceBytes);
  if (!bytes) return bytes.takeError();
  auto error = quantizeMatrix(*bytes, weight.dims[0], weight.dims[1] * weight.quantBlock, weight.quantFromKN,
                              weight.quantDtype, weight.quantBlock, consume);
  if (!error) return llvm::createStringError("weight '" + weight.name + "': " + llvm::toString(error.takeError()));
  weight.measured = *error;
  return llvm::Error::success();
}

/// Streams the tensor as stored: as the source gives it (as in the model, or pre-quantized
/// rows), block-quantized, or re-laid out into [N/P, K, P] panels.
/// A pre-quantized source's plain rows, interleaved four at a time (an _x4 record).
static llvm::Error streamInterleaved(WeightRecord &weight, size_t index, WeightSource &source,
                                     llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  auto bytes = readSource(source, index, weight.sourceBytes);
  if (!bytes) return bytes.takeError();
  const uint32_t dtype = edge_weights_base_dtype(weight.quantDtype);
  const int64_t rows = weight.dims[0], blocks = weight.dims[1], block = weight.dims[2];
  const size_t rowBytes = static_cast<size_t>(blocks) * edge_weights_block_bytes(dtype, static_cast<uint64_t>(block));
  if (rows % 4 != 0 || block % 32 != 0 || bytes->size() != rowBytes * static_cast<size_t>(rows))
    return llvm::createStringError("weight '" + weight.name + "': its rows cannot be interleaved by four");
  std::vector<uint8_t> group(4 * rowBytes);
  for (int64_t first = 0; first < rows; first += 4) {
    const uint8_t *base = bytes->data() + static_cast<size_t>(first) * rowBytes;
    const uint8_t *four[4] = {base, base + rowBytes, base + 2 * rowBytes, base + 3 * rowBytes};
    edge_weights_interleave4(dtype, static_cast<uint64_t>(blocks), static_cast<uint64_t>(block), four, group.data());
    consume(group);
  }
  return llvm::Error::success();
}

static llvm::Error streamStored(WeightRecord &weight, size_t index, WeightSource &source,
                                llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  if (weight.quantDtype && !weight.prequantized) return streamQuantized(weight, index, source, consume);
  if (weight.prequantized && edge_weights_is_x4(weight.quantDtype))
    return streamInterleaved(weight, index, source, consume);
  if (weight.packN == 0) return source.stream(index, consume, &weight.measured);
  auto bytes = readSource(source, index, weight.sourceBytes);
  if (!bytes) return bytes.takeError();
  int64_t panels = weight.dims[0], k = weight.dims[1], p = weight.dims[2], n = panels * p;
  if (bytes->empty() || n * k == 0) return llvm::Error::success();
  size_t element = bytes->size() / static_cast<size_t>(n * k);
  std::vector<uint8_t> packed(bytes->size());
  uint8_t *out = packed.data();
  const uint8_t *in = bytes->data();
  for (int64_t panel = 0; panel < panels; ++panel)
    for (int64_t row = 0; row < k; ++row, out += p * element) {
      if (!weight.packFromNK) { // [K, N]: the panel's columns of a row are contiguous
        std::memcpy(out, in + (row * n + panel * p) * element, static_cast<size_t>(p) * element);
      } else if (element == 4) { // [N, K], f32: a strided gather
        for (int64_t col = 0; col < p; ++col)
          std::memcpy(out + col * 4, in + ((panel * p + col) * k + row) * 4, 4);
      } else {
        for (int64_t col = 0; col < p; ++col)
          std::memcpy(out + col * element, in + ((panel * p + col) * k + row) * element, element);
      }
    }
  consume(packed);
  return llvm::Error::success();
}

uint64_t WeightRecord::storedBytes() const {
  if (!quantDtype) return sourceBytes;
  return static_cast<uint64_t>(dims[0] * dims[1]) * edge_weights_block_bytes(quantDtype, static_cast<uint64_t>(dims[2]));
}

namespace {

/// The temporary file the data is written into at each tensor's offset, from any thread.
class PositionalFile {
public:
  static llvm::Expected<PositionalFile> create(const std::string &path, uint64_t size) {
    int fd = -1;
    if (std::error_code ec = llvm::sys::fs::openFileForWrite(path, fd, llvm::sys::fs::CD_CreateAlways))
      return llvm::createStringError(path + ": cannot write: " + ec.message());
    PositionalFile file(path, fd);
    // Sized up front: the gaps between tensors read as zeros without being written.
    if (std::error_code ec = llvm::sys::fs::resize_file(fd, size))
      return llvm::createStringError(path + ": cannot size to " + llvm::Twine(size) + " bytes: " + ec.message());
    return file;
  }
  PositionalFile(PositionalFile &&other) : path(std::move(other.path)), fd(std::exchange(other.fd, -1)) {}
  ~PositionalFile() {
    if (fd >= 0) ::close(fd);
  }

  llvm::Error write(uint64_t offset, llvm::ArrayRef<uint8_t> bytes) const {
    while (!bytes.empty()) {
      ssize_t written = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return llvm::createStringError(path + ": write failed: " + std::strerror(errno));
      bytes = bytes.drop_front(static_cast<size_t>(written));
      offset += static_cast<uint64_t>(written);
    }
    return llvm::Error::success();
  }
  llvm::Error close() {
    int result = ::close(std::exchange(fd, -1));
    if (result != 0) return llvm::createStringError(path + ": write failed: " + std::strerror(errno));
    return llvm::Error::success();
  }

private:
  PositionalFile(std::string path, int fd) : path(std::move(path)), fd(fd) {}
  std::string path;
  int fd;
};

/// Bytes of a record gathered before each write: the packers hand over a row or a group
/// of rows at a time, and writing those one by one would leave the file in the page cache
/// as small pages (and cost a call per row); the runtime streams this file at memory speed,
/// which large page-cache pages help.
constexpr size_t kWriteBufferBytes = size_t(4) << 20;

/// Packs record `index` and writes it at its offset in the data section (which starts at
/// `dataStart`), returning its checksum.
llvm::Expected<uint64_t> writeRecord(WeightRecord &weight, size_t index, WeightSource &source,
                                     const PositionalFile &file, uint64_t dataStart) {
  uint64_t written = 0;
  edge_checksum_t checksum;
  edge_checksum_init(&checksum);
  llvm::Error writeError = llvm::Error::success();
  std::vector<uint8_t> buffer;
  buffer.reserve(std::min<uint64_t>(kWriteBufferBytes, weight.storedBytes()));
  uint64_t buffered = 0; // file position (in the record) of buffer[0]
  auto flush = [&] {
    if (!writeError && !buffer.empty()) writeError = file.write(dataStart + weight.offset + buffered, buffer);
    buffered += buffer.size();
    buffer.clear();
  };
  llvm::Error streamError = streamStored(weight, index, source, [&](llvm::ArrayRef<uint8_t> chunk) {
    if (writeError || written + chunk.size() > weight.storedBytes()) {
      written += chunk.size(); // reported below as a size mismatch
      return;
    }
    edge_checksum_update(&checksum, chunk.data(), chunk.size());
    written += chunk.size();
    if (buffer.size() + chunk.size() > kWriteBufferBytes) flush();
    if (chunk.size() >= kWriteBufferBytes) { // already large: straight through
      if (!writeError) writeError = file.write(dataStart + weight.offset + buffered, chunk);
      buffered += chunk.size();
      return;
    }
    buffer.insert(buffer.end(), chunk.begin(), chunk.end());
  });
  flush();
  if (streamError) {
    llvm::consumeError(std::move(writeError));
    return std::move(streamError);
  }
  if (writeError) return std::move(writeError);
  if (written != weight.storedBytes())
    return llvm::createStringError("weight '" + weight.name + "': wrote " + llvm::Twine(written) + " bytes, planned " +
                                   llvm::Twine(weight.storedBytes()));
  return edge_checksum_final(&checksum);
}

/// Bytes a record holds in memory while it is written: the whole source and its stored
/// form when it is re-laid out or quantized, else one streamed chunk.
uint64_t bytesInFlight(const WeightRecord &weight) {
  bool whole = weight.packN || weight.quantDtype;
  return (whole ? weight.sourceBytes + weight.storedBytes() : uint64_t(1) << 20) +
         std::min<uint64_t>(kWriteBufferBytes, weight.storedBytes());
}

/// Admits records while their bytes in flight fit a budget (always at least one), so
/// many threads do not hold many large tensors at once.
class MemoryBudget {
public:
  explicit MemoryBudget(uint64_t limit) : limit(limit) {}
  void acquire(uint64_t bytes) {
    std::unique_lock<std::mutex> lock(mutex);
    freed.wait(lock, [&] { return used == 0 || used + bytes <= limit; });
    used += bytes;
  }
  void release(uint64_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      used -= bytes;
    }
    freed.notify_all();
  }

private:
  const uint64_t limit;
  uint64_t used = 0;
  std::mutex mutex;
  std::condition_variable freed;
};

/// Writes every record on `jobs` threads, each taking the next unwritten record, largest
/// first (so no large tensor is left for one thread at the end), holding at most 768 MB of
/// tensors at once (or the largest one). Each record's bytes depend on it alone, so the
/// file is the same for every thread count and order; on failures, the error of the
/// first failing record.
llvm::Error writeRecords(std::vector<WeightRecord> &weights, WeightSource &source, const PositionalFile &file,
                         uint64_t dataStart, const WeightsWriteOptions &options,
                         std::vector<edge_weights_entry_t> &entries) {
  std::vector<std::string> errors(weights.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex progressMutex;
  size_t done = 0;
  uint64_t bytesDone = 0;
  MemoryBudget budget(uint64_t(768) << 20);
  std::vector<size_t> order(weights.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    uint64_t x = bytesInFlight(weights[a]), y = bytesInFlight(weights[b]);
    return x != y ? x > y : a < b;
  });
  auto work = [&] {
    for (size_t taken; !failed && (taken = next++) < weights.size();) {
      const size_t i = order[taken];
      const uint64_t holding = bytesInFlight(weights[i]);
      budget.acquire(holding);
      auto checksum = writeRecord(weights[i], i, source, file, dataStart);
      budget.release(holding);
      if (!checksum) {
        errors[i] = llvm::toString(checksum.takeError());
        failed = true;
        return;
      }
      entries[i].checksum = *checksum;
      if (options.progress) {
        std::lock_guard<std::mutex> lock(progressMutex);
        options.progress(++done, weights.size(), bytesDone += weights[i].storedBytes());
      }
    }
  };
  unsigned threads = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(weights.size())));
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread &helper : helpers) helper.join();
  for (const std::string &error : errors)
    if (!error.empty()) return llvm::createStringError(error);
  return llvm::Error::success();
}

} // namespace

llvm::Expected<uint64_t> writeWeightsFile(llvm::StringRef path, std::vector<WeightRecord> &weights, uint64_t dataSize,
                                         WeightSource &source, const WeightsWriteOptions &options) {
  std::vector<edge_weights_entry_t> entries(weights.size());
  std::string names;
  for (auto [i, weight] : llvm::enumerate(weights)) {
    if (weight.dims.size() > EDGE_WEIGHTS_MAX_RANK)
      return llvm::createStringError("weight '" + weight.name + "' has rank " + llvm::Twine(weight.dims.size()) +
                                     " (the weights format holds up to " + llvm::Twine(EDGE_WEIGHTS_MAX_RANK) + ")");
    if (weight.offset + weight.storedBytes() > dataSize)
      return llvm::createStringError("weight '" + weight.name + "' ends past the data section (" +
                                     llvm::Twine(weight.offset + weight.storedBytes()) + " > " + llvm::Twine(dataSize) +
                                     " bytes)");
    edge_weights_entry_t &entry = entries[i];
    std::memset(&entry, 0, sizeof(entry));
    entry.name_offset = static_cast<uint32_t>(names.size());
    entry.name_size = static_cast<uint32_t>(weight.name.size());
    names += weight.name;
    entry.dtype = weight.dtype;
    entry.rank = static_cast<uint32_t>(weight.dims.size());
    std::copy(weight.dims.begin(), weight.dims.end(), entry.dims);
    entry.data_offset = weight.offset;
    entry.data_size = weight.storedBytes();
  }
  edge_weights_header_t header;
  std::memset(&header, 0, sizeof(header));
  std::memcpy(header.magic, EDGE_WEIGHTS_MAGIC, 8);
  header.version = EDGE_WEIGHTS_VERSION;
  header.tensor_count = static_cast<uint32_t>(entries.size());
  header.table_offset = sizeof(header);
  header.names_offset = header.table_offset + entries.size() * sizeof(edge_weights_entry_t);
  header.names_size = names.size();
  header.data_offset = alignTo64(header.names_offset + header.names_size);
  header.data_size = dataSize;

  // Data first (packed on several threads, checksummed); then the table and header, which
  // need the sums. A temporary file renamed at the end: a failure leaves nothing behind.
  std::string temporary = (path + ".tmp").str();
  auto file = PositionalFile::create(temporary, header.data_offset + dataSize);
  if (!file) return file.takeError();
  llvm::Error error = writeRecords(weights, source, *file, header.data_offset, options, entries);
  if (!error) {
    header.fingerprint =
        edge_fnv1a_update(EDGE_FNV1A_INIT, entries.data(), entries.size() * sizeof(edge_weights_entry_t));
    header.fingerprint = edge_fnv1a_update(header.fingerprint, names.data(), names.size());
    std::string front(reinterpret_cast<const char *>(&header), sizeof(header));
    front.append(reinterpret_cast<const char *>(entries.data()), entries.size() * sizeof(edge_weights_entry_t));
    front += names;
    error = file->write(0, llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(front.data()), front.size()));
  }
  if (!error) error = file->close();
  if (error) {
    llvm::sys::fs::remove(temporary);
    return std::move(error);
  }
  if (std::error_code rename = llvm::sys::fs::rename(temporary, path)) {
    llvm::sys::fs::remove(temporary);
    return llvm::createStringError(path + ": cannot rename: " + rename.message());
  }
  return header.fingerprint;
}

} // namespace edge
