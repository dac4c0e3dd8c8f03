//===- ExternalData.cpp - validate and stream initializer bytes -----------===//
#include "compiler/import/ExternalData.h"

#include <fstream>

#include "onnx/onnx_pb.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace edge {

static llvm::Error fail(const ::onnx::TensorProto &tensor, const llvm::Twine &message) {
  return llvm::createStringError("initializer '" + tensor.name() + "': " + message);
}

/// Number of elements stored in the typed field for the tensor's data type.
static int64_t typedFieldCount(const ::onnx::TensorProto &tensor) {
  switch (tensor.data_type()) {
  case ::onnx::TensorProto::FLOAT: return tensor.float_data_size();
  case ::onnx::TensorProto::INT64: return tensor.int64_data_size();
  case ::onnx::TensorProto::DOUBLE: return tensor.double_data_size();
  default: return tensor.int32_data_size(); // int32, int8, uint8, bool, float16
  }
}

llvm::Expected<TensorSource> describeTensorData(const ::onnx::TensorProto &tensor, llvm::StringRef modelDir,
                                                uint64_t elementSize, uint64_t elementCount) {
  TensorSource source;
  source.byteSize = elementSize * elementCount;
  if (tensor.data_location() != ::onnx::TensorProto::EXTERNAL) {
    source.proto = &tensor;
    if (tensor.has_raw_data()) {
      if (tensor.raw_data().size() != source.byteSize)
        return fail(tensor, "raw_data holds " + llvm::Twine(tensor.raw_data().size()) + " bytes, expected " +
                                llvm::Twine(source.byteSize));
    } else if (static_cast<uint64_t>(typedFieldCount(tensor)) != elementCount) {
      return fail(tensor, "typed data holds " + llvm::Twine(typedFieldCount(tensor)) + " values, expected " +
                              llvm::Twine(elementCount));
    }
    return source;
  }

  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    char *end = nullptr;
    if (entry.key() == "location") location = entry.value();
    else if (entry.key() == "offset") offset = std::strtoll(entry.value().c_str(), &end, 10);
    else if (entry.key() == "length") length = std::strtoll(entry.value().c_str(), &end, 10);
    if (end && *end != '\0') return fail(tensor, "external data " + entry.key() + " is not a number");
  }
  if (location.empty()) return fail(tensor, "external data has no location");
  if (offset < 0 || (length >= 0 && static_cast<uint64_t>(length) != source.byteSize))
    return fail(tensor, "external data offset " + llvm::Twine(offset) + "/length " + llvm::Twine(length) +
                            " does not describe " + llvm::Twine(source.byteSize) + " bytes");
  if (llvm::sys::path::is_absolute(location))
    return fail(tensor, "external data path '" + location + "' is absolute; it must be relative to the model's folder");
  llvm::SmallString<256> dirReal, fileReal, joined(modelDir);
  llvm::sys::path::append(joined, location);
  if (llvm::sys::fs::real_path(modelDir, dirReal) || llvm::sys::fs::real_path(joined, fileReal))
    return fail(tensor, "external data file '" + location + "' not found next to the model");
  llvm::StringRef prefix(dirReal);
  if (!llvm::StringRef(fileReal).starts_with(prefix) || fileReal.size() <= prefix.size() ||
      fileReal[prefix.size()] != '/')
    return fail(tensor, "external data path '" + location + "' leaves the model's folder");
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(fileReal, fileSize) || !llvm::sys::fs::is_regular_file(fileReal))
    return fail(tensor, "external data '" + location + "' is not a regular file");
  if (static_cast<uint64_t>(offset) > fileSize || source.byteSize > fileSize - offset)
    return fail(tensor, "external data '" + location + "' is " + llvm::Twine(fileSize) + " bytes, needs " +
                            llvm::Twine(offset + source.byteSize));
  source.externalPath = std::string(fileReal);
  source.externalOffset = offset;
  return source;
}

/// Inline typed fields converted to the tensor's little-endian element layout.
static std::vector<uint8_t> packTypedFields(const ::onnx::TensorProto &tensor, uint64_t byteSize) {
  std::vector<uint8_t> bytes(byteSize);
  auto store = [&](auto values, auto convert, size_t width) {
    for (int i = 0; i < values.size(); ++i) {
      auto value = convert(values.Get(i));
      std::memcpy(bytes.data() + i * width, &value, width);
    }
  };
  switch (tensor.data_type()) {
  case ::onnx::TensorProto::FLOAT: store(tensor.float_data(), [](float v) { return v; }, 4); break;
  case ::onnx::TensorProto::INT64: store(tensor.int64_data(), [](int64_t v) { return v; }, 8); break;
  case ::onnx::TensorProto::DOUBLE: store(tensor.double_data(), [](double v) { return v; }, 8); break;
  case ::onnx::TensorProto::INT32: store(tensor.int32_data(), [](int32_t v) { return v; }, 4); break;
  case ::onnx::TensorProto::FLOAT16: store(tensor.int32_data(), [](int32_t v) { return static_cast<uint16_t>(v); }, 2); break;
  default: store(tensor.int32_data(), [](int32_t v) { return static_cast<uint8_t>(v); }, 1); break;
  }
  return bytes;
}

llvm::Error streamTensorData(const TensorSource &source, llvm::function_ref<void(llvm::ArrayRef<uint8_t>)> consume) {
  if (source.proto) {
    if (source.proto->has_raw_data()) {
      const std::string &raw = source.proto->raw_data();
      consume(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(raw.data()), raw.size()));
    } else {
      consume(packTypedFields(*source.proto, source.byteSize));
    }
    return llvm::Error::success();
  }
  std::ifstream file(source.externalPath, std::ios::binary);
  file.seekg(static_cast<std::streamoff>(source.externalOffset));
  std::vector<uint8_t> chunk(1 << 20);
  uint64_t left = source.byteSize;
  while (left > 0 && file) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
    file.read(reinterpret_cast<char *>(chunk.data()), static_cast<std::streamsize>(want));
    if (static_cast<size_t>(file.gcount()) != want) break;
    consume(llvm::ArrayRef<uint8_t>(chunk.data(), want));
    left -= want;
  }
  if (left > 0)
    return llvm::createStringError("external data '" + source.externalPath + "' ended early (file changed?)");
  return llvm::Error::success();
}

llvm::Expected<std::vector<uint8_t>> readTensorData(const TensorSource &source) {
  std::vector<uint8_t> bytes;
  bytes.reserve(source.byteSize);
  if (llvm::Error error = streamTensorData(source, [&](llvm::ArrayRef<uint8_t> chunk) {
        bytes.insert(bytes.end(), chunk.begin(), chunk.end());
      }))
    return std::move(error);
  return bytes;
}

} // namespace edge
