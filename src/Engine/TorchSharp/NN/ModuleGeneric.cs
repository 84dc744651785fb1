using System;
using System.Collections.Generic;
using TorchSharp.Utils;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public interface IModule<T, TResult>
            {
                public TResult call(T input1);
            }

            public interface IModule<T1, T2, TResult>
            {
                public abstract TResult call(T1 input1, T2 input2);
            }

            public interface IModule<T1, T2, T3, TResult>
            {
                public abstract TResult call(T1 input1, T2 input2, T3 input3);
            }

            public interface IModule<T1, T2, T3, T4, TResult>
            {
                public abstract TResult call(T1 input1, T2 input2, T3 input3, T4 input4);
            }

            /// <summary>A module with forward hooks (run around forward by call).</summary>
            public class HookableModule<TPreHook, TPostHook> : Module
            {
                protected HookableModule(string name) : base(name) { }

                internal readonly OrderedDict<string, TPreHook> pre_hooks = new OrderedDict<string, TPreHook>();
                internal readonly OrderedDict<string, TPostHook> post_hooks = new OrderedDict<string, TPostHook>();
                internal readonly OrderedDict<string, Action<Module>> plain_pre_hooks = new OrderedDict<string, Action<Module>>();
                internal readonly OrderedDict<string, Action<Module>> plain_post_hooks = new OrderedDict<string, Action<Module>>();
                private int hookCounter;

                public HookRemover register_forward_hook(TPostHook hook)
                {
                    var key = $"post{hookCounter++}";
                    post_hooks.Add(key, hook);
                    return new HookRemover(this, key);
                }

                public HookRemover register_forward_pre_hook(TPreHook hook)
                {
                    var key = $"pre{hookCounter++}";
                    pre_hooks.Add(key, hook);
                    return new HookRemover(this, key);
                }

                public HookRemover register_forward_hook(Action<Module> hook)
                {
                    var key = $"post{hookCounter++}";
                    plain_post_hooks.Add(key, hook);
                    return new HookRemover(this, key);
                }

                public HookRemover register_forward_pre_hook(Action<Module> hook)
                {
                    var key = $"pre{hookCounter++}";
                    plain_pre_hooks.Add(key, hook);
                    return new HookRemover(this, key);
                }

                internal void RemoveHook(string key)
                {
                    pre_hooks.Remove(key);
                    post_hooks.Remove(key);
                    plain_pre_hooks.Remove(key);
                    plain_post_hooks.Remove(key);
                }

                internal bool HasHooks => pre_hooks.Count + post_hooks.Count + plain_pre_hooks.Count + plain_post_hooks.Count > 0;

                public class HookRemover
                {
                    private readonly HookableModule<TPreHook, TPostHook> module;
                    private readonly string key;

                    public HookRemover(HookableModule<TPreHook, TPostHook> module, string key)
                    {
                        this.module = module;
                        this.key = key;
                    }

                    public void remove() => module.RemoveHook(key);
                }
            }

            /// <summary>One input, one result; call() runs the hooks around forward().</summary>
            public abstract class Module<T, TResult>
                : HookableModule<Func<Module<T, TResult>, T, T>, Func<Module<T, TResult>, T, TResult, TResult>>, IModule<T, TResult>
            {
                protected Module(string name) : base(name) { }

                public abstract TResult forward(T input);

                public TResult call(T input)
                {
                    if (!HasHooks) return forward(input);
                    foreach (var h in plain_pre_hooks.Values) h(this);
                    foreach (var h in pre_hooks.Values) input = h(this, input);
                    var result = forward(input);
                    foreach (var h in post_hooks.Values) result = h(this, input, result);
                    foreach (var h in plain_post_hooks.Values) h(this);
                    return result;
                }
            }

            public abstract class Module<T1, T2, TResult>
                : HookableModule<Func<Module<T1, T2, TResult>, T1, T2, (T1, T2)?>, Func<Module<T1, T2, TResult>, T1, T2, TResult, TResult>>, IModule<T1, T2, TResult>
            {
                protected Module(string name) : base(name) { }

                public abstract TResult forward(T1 input1, T2 input2);

                public TResult call(T1 input1, T2 input2)
                {
                    foreach (var h in plain_pre_hooks.Values) h(this);
                    foreach (var h in pre_hooks.Values) {
                        var r = h(this, input1, input2);
                        if (r.HasValue) (input1, input2) = r.Value;
                    }
                    var result = forward(input1, input2);
                    foreach (var h in post_hooks.Values) result = h(this, input1, input2, result);
                    foreach (var h in plain_post_hooks.Values) h(this);
                    return result;
                }
            }

            public abstract class Module<T1, T2, T3, TResult>
                : HookableModule<Func<Module<T1, T2, T3, TResult>, T1, T2, T3, (T1, T2, T3)?>, Func<Module<T1, T2, T3, TResult>, T1, T2, T3, TResult, TResult>>, IModule<T1, T2, T3, TResult>
            {
                protected Module(string name) : base(name) { }

                public abstract TResult forward(T1 input1, T2 input2, T3 input3);

                public TResult call(T1 input1, T2 input2, T3 input3)
                {
                    foreach (var h in plain_pre_hooks.Values) h(this);
                    foreach (var h in pre_hooks.Values) {
                        var r = h(this, input1, input2, input3);
                        if (r.HasValue) (input1, input2, input3) = r.Value;
                    }
                    var result = forward(input1, input2, input3);
                    foreach (var h in post_hooks.Values) result = h(this, input1, input2, input3, result);
                    foreach (var h in plain_post_hooks.Values) h(this);
                    return result;
                }
            }

            public abstract class Module<T1, T2, T3, T4, TResult>
                : HookableModule<Func<Module<T1, T2, T3, T4, TResult>, T1, T2, T3, T4, (T1, T2, T3, T4)?>, Func<Module<T1, T2, T3, T4, TResult>, T1, T2, T3, T4, TResult, TResult>>, IModule<T1, T2, T3, T4, TResult>
            {
                protected Module(string name) : base(name) { }

                public abstract TResult forward(T1 input1, T2 input2, T3 input3, T4 input4);

                public TResult call(T1 input1, T2 input2, T3 input3, T4 input4)
                {
                    foreach (var h in plain_pre_hooks.Values) h(this);
                    foreach (var h in pre_hooks.Values) {
                        var r = h(this, input1, input2, input3, input4);
                        if (r.HasValue) (input1, input2, input3, input4) = r.Value;
                    }
                    var result = forward(input1, input2, input3, input4);
                    foreach (var h in post_hooks.Values) result = h(this, input1, input2, input3, input4, result);
                    foreach (var h in plain_post_hooks.Values) h(this);
                    return result;
                }
            }
        }
    }
}

namespace TorchSharp.Modules
{
    /// <summary>Base of the built-in layers that hold no parameters.</summary>
    public abstract class ParameterLessModule<T, TResult> : torch.nn.Module<T, TResult>
    {
        protected ParameterLessModule(string name) : base(name) { }
    }
}
