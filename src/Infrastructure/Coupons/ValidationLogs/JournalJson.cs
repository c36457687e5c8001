using System.Text.Json;
using System.Text.Json.Serialization;
using Capacity.Domain.Coupons;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary>
/// The journal's line format (camelCase JSON of <see cref="ValidationLogEntry"/>), generated at build time: every
/// validation serializes one line on the request path, and a replay parses hundreds of thousands.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ValidationLogEntry))]
internal sealed partial class JournalJson : JsonSerializerContext;
