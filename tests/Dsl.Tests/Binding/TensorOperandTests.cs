using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using Xunit;

namespace ArchDsl.Dsl.Tests.Binding
{
    /// <summary>One classification of tensor-arithmetic operands (tensor or number), which the elaborator and the
    /// lowering both ask, each with its own scope.</summary>
    public class TensorOperandTests
    {
        private const string Source = @"
block B(c: int) {
  x{0} = input |> relu
  t = input |> relu6
  y = -x{0} * 2
  z = c * t
  w = 2 - upsample(to: t)
  v = input * 3
  let u = c * 2
}";

        private static (BoundProgram Program, ExprSyntax[] Values) Bind()
        {
            var bag = new DiagnosticBag();
            var program = Binder.Bind(new SourceFile("t.arch", Source), NoImports.Instance, bag, default);
            Assert.Equal(0, bag.ErrorCount);
            var values = program.Definitions["B"].Syntax.Body.Statements
                .Select(s => s is AssignStmt a ? a.Value : s is LetStmt l ? l.Value : null).Where(e => e != null).Select(e => e!).ToArray();
            return (program, values);
        }

        /// <summary>"t" is a tensor, "c" a number; other names are not in scope.</summary>
        private static bool? Scope(string name) => name == "t" ? true : name == "c" ? false : null;

        [Fact]
        public void Names_pipelines_resizes_and_their_arithmetic_are_tensors_numbers_are_not()
        {
            var (program, v) = Bind();
            // t, y, z, w, v, u in order: the pipeline, -x{0} * 2, c * t, 2 - upsample(to: t), input * 3, c * 2.
            Assert.Equal(new[] { true, true, true, true, true, false }, v.Select(e => program.IsTensor(e, Scope, indexedNames: true)).ToArray());
        }

        [Fact]
        public void An_indexed_name_is_a_tensor_wherever_it_stands_in_the_dataflow_form_only()
        {
            var (program, v) = Bind();
            var negated = ((BinaryExpr)v[1]).Left;
            Assert.IsType<UnaryExpr>(negated);
            Assert.True(program.IsTensor(negated, Scope, indexedNames: true));
            Assert.False(program.IsTensor(negated, Scope, indexedNames: false));
        }

        [Fact]
        public void A_name_in_scope_is_what_the_scope_says_even_when_it_is_called_input()
        {
            var (program, v) = Bind();
            var input = ((BinaryExpr)v[4]).Left;
            Assert.True(program.IsTensor(input, _ => null, indexedNames: false));
            Assert.False(program.IsTensor(input, _ => false, indexedNames: false));
        }
    }
}
