using System.Text.Json;
using System.Text.Json.Serialization;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace Capacity.Infrastructure.Caching;

/// <summary>
/// Serializes L2 (Redis) cache entries with System.Text.Json. Reflection-based on purpose: FusionCache stores
/// its own envelope types (<c>FusionCacheDistributedEntry&lt;T&gt;</c>, tag entries) around our values.
/// </summary>
internal sealed class JsonFusionCacheSerializer : IFusionCacheSerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public byte[] Serialize<T>(T? obj) => JsonSerializer.SerializeToUtf8Bytes(obj, Options);

    public T? Deserialize<T>(byte[] data) => JsonSerializer.Deserialize<T>(data, Options);

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => ValueTask.FromResult(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => ValueTask.FromResult(Deserialize<T>(data));
}
