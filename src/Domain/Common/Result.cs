using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Capacity.Domain.Common;

/// <summary>The non-generic face of <see cref="Result{T}"/>, for code that handles any result.</summary>
public interface IOutcome
{
    Error? Error { get; }
}

/// <summary>A value or an expected <see cref="Common.Error"/>; never both.</summary>
public sealed record Result<T> : IOutcome
{
    [JsonConstructor]
    public Result(T? value, Error? error)
    {
        if (error is null && value is null)
        {
            throw new ArgumentException("A successful result needs a value.", nameof(value));
        }

        Value = error is null ? value : default;
        Error = error;
    }

    public T? Value { get; }

    public Error? Error { get; }

    [JsonIgnore]
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Error error) => new(default, error);
}
