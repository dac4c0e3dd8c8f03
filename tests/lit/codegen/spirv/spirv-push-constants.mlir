// RUN: edge-opt --pass-pipeline='builtin.module(spirv.module(edge-spirv-push-constants))' %s | FileCheck %s

// The scalar arguments' one-member storage buffers (bindings 2..6) become the members of
// one push-constant block in binding order; the array buffers (bindings 0, 1) stay.
// CHECK:       spirv.module @__spv__scale_kernel
// CHECK-DAG:     spirv.GlobalVariable @scale_kernel_arg_0 bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>
// CHECK-DAG:     spirv.GlobalVariable @scale_kernel_arg_3 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i64, stride=8> [0])>, StorageBuffer>
// CHECK-DAG:     spirv.GlobalVariable @scale_kernel_push_constants : !spirv.ptr<!spirv.struct<(i32 [0], i32 [4], i32 [8], f32 [12], i32 [16])>, PushConstant>
// CHECK-NOT:     spirv.GlobalVariable @scale_kernel_arg_{{[124-6]}}
// CHECK:         spirv.func @scale_kernel()
// CHECK:           %[[N:.*]] = spirv.AccessChain %{{.*}}[%cst2_i32] : {{.*}}, PushConstant>, i32 -> !spirv.ptr<i32, PushConstant>
// CHECK:           spirv.Load "PushConstant" %[[N]] : i32
// CHECK:           %[[FACTOR:.*]] = spirv.AccessChain %{{.*}}[%cst3_i32] : {{.*}} -> !spirv.ptr<f32, PushConstant>
// CHECK:           spirv.Load "PushConstant" %[[FACTOR]] : f32
// CHECK-NOT:       StorageBuffer>, i32 -> !spirv.ptr<i32, StorageBuffer>
spirv.module @__spv__scale_kernel Logical GLSL450 attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader, Int64], [SPV_KHR_storage_buffer_storage_class]>, api=Vulkan, #spirv.resource_limits<>>} {
  spirv.GlobalVariable @__builtin__WorkgroupId__ built_in("WorkgroupId") : !spirv.ptr<vector<3xi32>, Input>
  spirv.GlobalVariable @scale_kernel_arg_0 bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>
  spirv.GlobalVariable @scale_kernel_arg_1 bind(0, 4) : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
  spirv.GlobalVariable @scale_kernel_arg_2 bind(0, 5) : !spirv.ptr<!spirv.struct<(f32 [0])>, StorageBuffer>
  spirv.GlobalVariable @scale_kernel_arg_3 bind(0, 1) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i64, stride=8> [0])>, StorageBuffer>
  spirv.GlobalVariable @scale_kernel_arg_4 bind(0, 6) : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
  spirv.GlobalVariable @scale_kernel_arg_5 bind(0, 2) : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
  spirv.GlobalVariable @scale_kernel_arg_6 bind(0, 3) : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
  spirv.func @scale_kernel() "None" {
    %scale_kernel_arg_0_addr = spirv.mlir.addressof @scale_kernel_arg_0 : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>
    %scale_kernel_arg_1_addr = spirv.mlir.addressof @scale_kernel_arg_1 : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
    %cst0_i32 = spirv.Constant 0 : i32
    %0 = spirv.AccessChain %scale_kernel_arg_1_addr[%cst0_i32] : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>, i32 -> !spirv.ptr<i32, StorageBuffer>
    %1 = spirv.Load "StorageBuffer" %0 : i32
    %scale_kernel_arg_2_addr = spirv.mlir.addressof @scale_kernel_arg_2 : !spirv.ptr<!spirv.struct<(f32 [0])>, StorageBuffer>
    %cst0_i32_0 = spirv.Constant 0 : i32
    %2 = spirv.AccessChain %scale_kernel_arg_2_addr[%cst0_i32_0] : !spirv.ptr<!spirv.struct<(f32 [0])>, StorageBuffer>, i32 -> !spirv.ptr<f32, StorageBuffer>
    %3 = spirv.Load "StorageBuffer" %2 : f32
    %scale_kernel_arg_3_addr = spirv.mlir.addressof @scale_kernel_arg_3 : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i64, stride=8> [0])>, StorageBuffer>
    %scale_kernel_arg_4_addr = spirv.mlir.addressof @scale_kernel_arg_4 : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
    %cst0_i32_1 = spirv.Constant 0 : i32
    %4 = spirv.AccessChain %scale_kernel_arg_4_addr[%cst0_i32_1] : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>, i32 -> !spirv.ptr<i32, StorageBuffer>
    %5 = spirv.Load "StorageBuffer" %4 : i32
    %scale_kernel_arg_5_addr = spirv.mlir.addressof @scale_kernel_arg_5 : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
    %cst0_i32_2 = spirv.Constant 0 : i32
    %6 = spirv.AccessChain %scale_kernel_arg_5_addr[%cst0_i32_2] : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>, i32 -> !spirv.ptr<i32, StorageBuffer>
    %7 = spirv.Load "StorageBuffer" %6 : i32
    %scale_kernel_arg_6_addr = spirv.mlir.addressof @scale_kernel_arg_6 : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>
    %cst0_i32_3 = spirv.Constant 0 : i32
    %8 = spirv.AccessChain %scale_kernel_arg_6_addr[%cst0_i32_3] : !spirv.ptr<!spirv.struct<(i32 [0])>, StorageBuffer>, i32 -> !spirv.ptr<i32, StorageBuffer>
    %9 = spirv.Load "StorageBuffer" %8 : i32
    %10 = spirv.SConvert %5 : i32 to i64
    %__builtin__WorkgroupId___addr = spirv.mlir.addressof @__builtin__WorkgroupId__ : !spirv.ptr<vector<3xi32>, Input>
    %11 = spirv.Load "Input" %__builtin__WorkgroupId___addr : vector<3xi32>
    %12 = spirv.CompositeExtract %11[0 : i32] : vector<3xi32>
    %13 = spirv.IAdd %12, %7 : i32
    %cst0_i32_4 = spirv.Constant 0 : i32
    %cst0_i32_5 = spirv.Constant 0 : i32
    %cst1_i32 = spirv.Constant 1 : i32
    %14 = spirv.AccessChain %scale_kernel_arg_0_addr[%cst0_i32_4, %13] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    %15 = spirv.Load "StorageBuffer" %14 : f32
    %16 = spirv.FMul %15, %3 : f32
    %17 = spirv.IAdd %12, %7 : i32
    %cst0_i32_6 = spirv.Constant 0 : i32
    %cst0_i32_7 = spirv.Constant 0 : i32
    %cst1_i32_8 = spirv.Constant 1 : i32
    %18 = spirv.AccessChain %scale_kernel_arg_0_addr[%cst0_i32_6, %17] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    spirv.Store "StorageBuffer" %18, %16 : f32
    %19 = spirv.IAdd %12, %9 : i32
    %cst0_i32_9 = spirv.Constant 0 : i32
    %cst0_i32_10 = spirv.Constant 0 : i32
    %cst1_i32_11 = spirv.Constant 1 : i32
    %20 = spirv.AccessChain %scale_kernel_arg_3_addr[%cst0_i32_9, %19] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<i64, stride=8> [0])>, StorageBuffer>, i32, i32 -> !spirv.ptr<i64, StorageBuffer>
    spirv.Store "StorageBuffer" %20, %10 : i64
    spirv.Return
  }
  spirv.EntryPoint "GLCompute" @scale_kernel, @__builtin__WorkgroupId__
  spirv.ExecutionMode @scale_kernel "LocalSize", 64, 1, 1
}
