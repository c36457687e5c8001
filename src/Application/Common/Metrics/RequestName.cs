namespace Capacity.Application.Common.Metrics;

/// <summary>A readable, stable name per request type ("ClaimSeat.Command"), computed once per type.</summary>
public static class RequestName<TMessage>
{
    public static readonly string Value = Format(typeof(TMessage));

    private static string Format(Type type) =>
        type.DeclaringType is { } outer ? $"{outer.Name}.{type.Name}" : type.Name;
}
