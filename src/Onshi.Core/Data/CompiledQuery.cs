using System.Runtime.CompilerServices;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Onshi.Core.Data;

/// <summary>
/// A query compiled once per EF Core model (<see cref="EF.CompileAsyncQuery{TContext, TParam1, TResult}(System.Linq.Expressions.Expression{Func{TContext, TParam1, CancellationToken, TResult}})"/>).
/// </summary>
/// <remarks>
/// A compiled query refuses to run against a model other than the one it first ran with, and one process can hold
/// several: EF Core builds a model per set of internal services, so options that differ in provider or services get
/// their own (the integration tests host SQLite and PostgreSQL sites side by side). So the delegate is compiled once per
/// model and remembered weakly (a model that goes away takes its compiled query with it).
/// </remarks>
/// <typeparam name="TQuery">The delegate <c>EF.CompileAsyncQuery</c> returns.</typeparam>
public sealed class CompiledQuery<TQuery>
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> byModel = [];
    private readonly ConditionalWeakTable<IModel, TQuery>.CreateValueCallback compile;

    /// <param name="compile">Compiles the query (called once per model): <c>() =&gt; EF.CompileAsyncQuery(...)</c>.</param>
    public CompiledQuery(Func<TQuery> compile)
    {
        ArgumentNullException.ThrowIfNull(compile);
        this.compile = _ => compile();
    }

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return byModel.GetValue(db.Model, compile);
    }
}
