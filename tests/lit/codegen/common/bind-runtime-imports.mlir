// RUN: edge-opt --split-input-file --verify-diagnostics --edge-bind-runtime-imports %s | FileCheck %s

// The entry and its C wrapper gain the import table; malloc becomes alloc(context, 0, n),
// the attention kernel and free become their slots' callbacks with the context first, and
// the declarations go.
// CHECK-NOT:   llvm.func @malloc
// CHECK-NOT:   llvm.func @free
// CHECK-NOT:   llvm.func @_mlir_ciface_edge_rt_paged_attention
// CHECK-LABEL: llvm.func @main(
// CHECK-SAME:    %[[A:.*]]: !llvm.ptr, %[[N:.*]]: i64, %[[T:.*]]: !llvm.ptr)
// CHECK:         %[[CTX:.*]] = llvm.load %[[T]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[SLOT:.*]] = llvm.getelementptr %[[T]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[ALLOC:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK:         %[[P:.*]] = llvm.call %[[ALLOC]](%[[CTX]], %[[ZERO]], %[[N]]) : !llvm.ptr, (!llvm.ptr, i64, i64) -> !llvm.ptr
// CHECK:         llvm.getelementptr %[[T]][3]
// CHECK:         llvm.call %{{.*}}(%{{.*}}, %[[A]], %[[P]], %[[P]], %[[P]], %[[P]], %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, f32) -> ()
// CHECK:         llvm.getelementptr %[[T]][2]
// CHECK:         llvm.call %{{.*}}(%{{.*}}, %[[P]]) : !llvm.ptr, (!llvm.ptr, !llvm.ptr) -> ()
// CHECK-LABEL: llvm.func @_mlir_ciface_main(
// CHECK-SAME:    %{{.*}}: !llvm.ptr, %{{.*}}: i64, %[[WT:.*]]: !llvm.ptr)
// CHECK:         llvm.call @main(%{{.*}}, %{{.*}}, %[[WT]])
module {
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @free(!llvm.ptr)
  llvm.func @_mlir_ciface_edge_rt_paged_attention(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, f32)
  llvm.func @main(%a: !llvm.ptr, %n: i64) {
    %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr
    %layer = llvm.mlir.constant(1 : i64) : i64
    %scale = llvm.mlir.constant(5.000000e-01 : f32) : f32
    llvm.call @_mlir_ciface_edge_rt_paged_attention(%a, %p, %p, %p, %p, %layer, %scale) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, f32) -> ()
    llvm.call @free(%p) : (!llvm.ptr) -> ()
    llvm.return
  }
  llvm.func @_mlir_ciface_main(%a: !llvm.ptr, %n: i64) {
    llvm.call @main(%a, %n) : (!llvm.ptr, i64) -> ()
    llvm.return
  }
}

// -----

// The quantized matmul ukernel (linked into the model later) stays a direct call and
// gets the table last, so it can reach the backend's threads; its declaration keeps its
// name and gains the parameter. Its C-interface wrapper, which the entry calls, is given
// the table too.
// CHECK:       llvm.func @_mlir_ciface_edge_uk_qmatmul(!llvm.ptr, !llvm.ptr, i64, !llvm.ptr)
// CHECK-LABEL: llvm.func @edge_uk_qmatmul(
// CHECK-SAME:    %[[A:.*]]: !llvm.ptr, %[[W:.*]]: !llvm.ptr, %[[D:.*]]: i64, %[[QT:.*]]: !llvm.ptr)
// CHECK:         llvm.call @_mlir_ciface_edge_uk_qmatmul(%[[A]], %[[W]], %[[D]], %[[QT]]) : (!llvm.ptr, !llvm.ptr, i64, !llvm.ptr) -> ()
// CHECK-LABEL: llvm.func @main(
// CHECK-SAME:    %{{.*}}: !llvm.ptr, %[[MT:.*]]: !llvm.ptr)
// CHECK:         llvm.call @edge_uk_qmatmul(%{{.*}}, %{{.*}}, %{{.*}}, %[[MT]])
module {
  llvm.func @_mlir_ciface_edge_uk_qmatmul(!llvm.ptr, !llvm.ptr, i64)
  llvm.func @edge_uk_qmatmul(%a: !llvm.ptr, %w: !llvm.ptr, %d: i64) {
    llvm.call @_mlir_ciface_edge_uk_qmatmul(%a, %w, %d) : (!llvm.ptr, !llvm.ptr, i64) -> ()
    llvm.return
  }
  llvm.func @main(%a: !llvm.ptr) {
    %d = llvm.mlir.constant(10 : i64) : i64
    llvm.call @edge_uk_qmatmul(%a, %a, %d) : (!llvm.ptr, !llvm.ptr, i64) -> ()
    llvm.return
  }
  llvm.func @_mlir_ciface_main(%a: !llvm.ptr) {
    llvm.call @main(%a) : (!llvm.ptr) -> ()
    llvm.return
  }
}

// -----

// A function that calls the runtime gets the table from its caller (here a helper the
// entry calls, as MLIR's C-interface wrappers are).
// CHECK-LABEL: llvm.func @helper(
// CHECK-SAME:    %{{.*}}: i64, %[[HT:.*]]: !llvm.ptr) -> !llvm.ptr
// CHECK:         llvm.getelementptr %[[HT]][1]
// CHECK-LABEL: llvm.func @main(
// CHECK-SAME:    %[[N:.*]]: i64, %[[MT:.*]]: !llvm.ptr)
// CHECK:         llvm.call @helper(%[[N]], %[[MT]])
module {
  llvm.func @malloc(i64) -> !llvm.ptr
  llvm.func @helper(%n: i64) -> !llvm.ptr {
    %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr
    llvm.return %p : !llvm.ptr
  }
  llvm.func @main(%n: i64) {
    %p = llvm.call @helper(%n) : (i64) -> !llvm.ptr
    llvm.return
  }
  llvm.func @_mlir_ciface_main(%n: i64) {
    llvm.call @main(%n) : (i64) -> ()
    llvm.return
  }
}

// -----

module {
  llvm.func @malloc(i64) -> !llvm.ptr
  // expected-error @+1 {{edge-bind-runtime-imports: @orphan calls the runtime but is not reached from @main}}
  llvm.func @orphan(%n: i64) -> !llvm.ptr {
    %p = llvm.call @malloc(%n) : (i64) -> !llvm.ptr
    llvm.return %p : !llvm.ptr
  }
  llvm.func @main(%n: i64) {
    llvm.return
  }
  llvm.func @_mlir_ciface_main(%n: i64) {
    llvm.call @main(%n) : (i64) -> ()
    llvm.return
  }
}
