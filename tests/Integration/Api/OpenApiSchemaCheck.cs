using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Capacity.IntegrationTests.Api;

/// <summary>
/// Checks a JSON value against a schema of the OpenAPI document, for the keywords this API's document uses:
/// <c>$ref</c>, <c>type</c>, <c>enum</c>, <c>minLength</c>, <c>maxLength</c>, <c>pattern</c> (ECMA-262, as JSON Schema
/// says), <c>format</c> (uuid, date-time), <c>minimum</c>, <c>maximum</c>, their exclusive forms, <c>required</c>,
/// <c>properties</c> and <c>items</c>. A member an object schema does not declare is reported too: in an example it
/// is a mistake. Patterns run in .NET's ECMAScript mode, where (unlike ECMA-262) <c>$</c> also matches before a final
/// line feed: samples here never end with one.
/// </summary>
internal static class OpenApiSchemaCheck
{
    public static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var target = document;
            foreach (var segment in reference.GetString()!.TrimStart('#', '/').Split('/'))
            {
                target = target.GetProperty(segment);
            }

            schema = target;
        }

        return schema;
    }

    public static bool Accepts(JsonElement document, JsonElement schema, string text) =>
        Errors(document, schema, JsonSerializer.SerializeToElement(text)).Count == 0;

    public static List<string> Errors(JsonElement document, JsonElement schema, JsonElement value, string at = "$")
    {
        schema = Resolve(document, schema);
        var errors = new List<string>();
        if (schema.TryGetProperty("type", out var type))
        {
            string[] types = type.ValueKind == JsonValueKind.Array
                ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
                : [type.GetString()!];
            if (!types.Any(t => IsOfType(value, t)))
            {
                return [$"{at}: {value.GetRawText()} is not of type {string.Join('|', types)}"];
            }
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            errors.Add($"{at}: {value.GetRawText()} is not one of {allowed.GetRawText()}");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                StringErrors(schema, value.GetString()!, at, errors);
                break;
            case JsonValueKind.Number:
                NumberErrors(schema, value.GetDecimal(), at, errors);
                break;
            case JsonValueKind.Object:
                ObjectErrors(document, schema, value, at, errors);
                break;
            case JsonValueKind.Array when schema.TryGetProperty("items", out var items):
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    errors.AddRange(Errors(document, items, item, $"{at}[{index++}]"));
                }

                break;
        }

        return errors;
    }

    private static void StringErrors(JsonElement schema, string text, string at, List<string> errors)
    {
        // JSON Schema counts characters (code points), not UTF-16 units.
        var length = text.EnumerateRunes().Count();
        if (Number(schema, "minLength") is { } min && length < min)
        {
            errors.Add($"{at}: \"{text}\" is shorter than {min}");
        }

        if (Number(schema, "maxLength") is { } max && length > max)
        {
            errors.Add($"{at}: \"{text}\" is longer than {max}");
        }

        if (schema.TryGetProperty("pattern", out var pattern)
            && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.ECMAScript, TimeSpan.FromSeconds(5)))
        {
            errors.Add($"{at}: \"{text}\" does not match {pattern.GetString()}");
        }

        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        if ((format == "uuid" && !Guid.TryParseExact(text, "D", out _))
            || (format == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, out _)))
        {
            errors.Add($"{at}: \"{text}\" is not a {format}");
        }
    }

    private static void NumberErrors(JsonElement schema, decimal number, string at, List<string> errors)
    {
        if ((Number(schema, "minimum") is { } min && number < min)
            || (Number(schema, "exclusiveMinimum") is { } exclusiveMin && number <= exclusiveMin)
            || (Number(schema, "maximum") is { } max && number > max)
            || (Number(schema, "exclusiveMaximum") is { } exclusiveMax && number >= exclusiveMax))
        {
            errors.Add($"{at}: {number} is out of the schema's range");
        }
    }

    private static void ObjectErrors(JsonElement document, JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        if (schema.TryGetProperty("required", out var required))
        {
            errors.AddRange(required.EnumerateArray()
                .Where(name => !value.TryGetProperty(name.GetString()!, out _))
                .Select(name => $"{at}: the required member {name.GetString()} is missing"));
        }

        var properties = schema.TryGetProperty("properties", out var declared) ? declared : default;
        foreach (var member in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(member.Name, out var property))
            {
                errors.AddRange(Errors(document, property, member.Value, $"{at}.{member.Name}"));
            }
            else
            {
                errors.Add($"{at}: {member.Name} is not a member the schema declares");
            }
        }
    }

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d == decimal.Truncate(d),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new InvalidOperationException($"Unknown JSON Schema type '{type}'."),
    };

    private static decimal? Number(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var value) ? value.GetDecimal() : null;
}
