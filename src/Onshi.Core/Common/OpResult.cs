namespace Onshi.Core.Common;

/// <summary>An expected failure: a stable code, the Japanese message a user sees, and the field it concerns.</summary>
public sealed record OnshiError(string Code, string Message, string? Field = null);

/// <summary>The outcome of a use case. Expected failures are values, never exceptions.</summary>
public class OpResult
{
    protected OpResult(IReadOnlyList<OnshiError> errors) => Errors = errors;

    public static OpResult Ok { get; } = new([]);

    public IReadOnlyList<OnshiError> Errors { get; }

    public bool Succeeded => Errors.Count == 0;

    public static OpResult Fail(params OnshiError[] errors) => new(errors);

    public static OpResult Fail(IReadOnlyList<OnshiError> errors) => new(errors);
}

/// <summary>A successful value or expected failures.</summary>
public sealed class OpResult<T> : OpResult
{
    private OpResult(T? value, IReadOnlyList<OnshiError> errors) : base(errors) => Value = value;

    public T? Value { get; }

    public static OpResult<T> Success(T value) => new(value, []);

    public static new OpResult<T> Fail(params OnshiError[] errors) => new(default, errors);

    public static new OpResult<T> Fail(IReadOnlyList<OnshiError> errors) => new(default, errors);
}
