// RUN: edge-opt --split-input-file --verify-diagnostics --edge-vulkan-dispatch %s | FileCheck %s

// The launch becomes a dispatch call with the buffers' addresses and the scalars widened
// to i64 (the f32 by its bits). The kernel's buffers are bindings 0 and 1; a binding
// offset per buffer is appended and added to every index into it; the push constants are
// those offsets (bindings 2, 3), then the scalars (4..6), the i64 one narrowed to i32.
// CHECK-LABEL: func.func @scale
// CHECK:         %[[X:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK:         %[[Y:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK:         %[[BITS:.*]] = arith.bitcast %arg3 : f32 to i32
// CHECK:         %[[ADDRESSES:.*]] = memref.alloca() : memref<2xi64>
// CHECK:         %[[SCALARS:.*]] = memref.alloca() : memref<3xi64>
// CHECK:         memref.store %arg4, %[[SCALARS]][%c2] : memref<3xi64>
// CHECK:         call @edge_vk_dispatch(%c0_i32, %arg2, %c1, %c1, %{{.*}}, %{{.*}}) : (i32, index, index, index, memref<?xi64>, memref<?xi64>) -> ()
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.module @scale_kernel attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader, Int64], [SPV_KHR_storage_buffer_storage_class]>, api=Vulkan
// CHECK:         gpu.func @scale_kernel(%arg0: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>}, %arg1: index {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 4), StorageBuffer>}, %arg2: f32 {{.*}}<(0, 5), StorageBuffer>}, %arg3: memref<?xi64> {{.*}}<(0, 1)>}, %arg4: i32 {{.*}}<(0, 6), StorageBuffer>}, %arg5: index {{.*}}<(0, 2), StorageBuffer>}, %arg6: index {{.*}}<(0, 3), StorageBuffer>})
// CHECK-SAME:    edge.binding_bytes = array<i32: 4, 8>, edge.kernel_index = 0 : i32, edge.push_constants = 5 : i32, spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>
// CHECK:           %[[TOKEN:.*]] = arith.extsi %arg4 : i32 to i64
// CHECK:           %[[I:.*]] = gpu.block_id x
// CHECK:           %[[AT:.*]] = arith.addi %[[I]], %arg5 : index
// CHECK:           memref.load %arg0[%[[AT]]]
// CHECK:           %[[AT_Y:.*]] = arith.addi %[[I]], %arg6 : index
// CHECK:           memref.store %[[TOKEN]], %arg3[%[[AT_Y]]]
// CHECK:       func.func private @edge_vk_dispatch(i32, index, index, index, memref<?xi64>, memref<?xi64>) attributes {llvm.emit_c_interface}
module attributes {gpu.container_module} {
  func.func @scale(%x: memref<?xf32>, %y: memref<?xi64>, %n: index, %factor: f32, %token: i64) {
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    gpu.launch_func @scale_kernel::@scale_kernel blocks in (%n, %c1, %c1) threads in (%c64, %c1, %c1)
        args(%x : memref<?xf32>, %n : index, %factor : f32, %y : memref<?xi64>, %token : i64)
    return
  }
  gpu.module @scale_kernel {
    gpu.func @scale_kernel(%x: memref<?xf32>, %n: index, %factor: f32, %y: memref<?xi64>, %token: i64) kernel {
      %i = gpu.block_id x
      %v = memref.load %x[%i] : memref<?xf32>
      %s = arith.mulf %v, %factor : f32
      memref.store %s, %x[%i] : memref<?xf32>
      memref.store %token, %y[%i] : memref<?xi64>
      gpu.return
    }
  }
}

// -----

// Host code must not touch device buffers itself.
module attributes {gpu.container_module} {
  func.func @host_read(%x: memref<?xf32>) -> f32 {
    %c0 = arith.constant 0 : index
    // expected-error @+1 {{host code reads or writes a device buffer (only kernels may): memref.load}}
    %v = memref.load %x[%c0] : memref<?xf32>
    return %v : f32
  }
}
