using System.Text;

namespace Capacity.Bench.OpenLoop;

public enum ParseResult
{
    Incomplete,
    Complete,
    Invalid,
}

/// <summary>What the generator keeps of one HTTP/1.1 response.</summary>
public readonly record struct Response(int Status, string? Cache, string? Problem, bool Close, int Length);

/// <summary>
/// A minimal HTTP/1.1 response reader for one response at a time (the generator never pipelines): the status line,
/// the headers it needs (Content-Length, Transfer-Encoding: chunked, Connection: close, X-Cache) and the end of the
/// body. For a non-2xx answer it also picks the problem detail's type (and reason) out of the body.
/// </summary>
public static class ResponseParser
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private static readonly byte[] TypeField = "\"type\":\""u8.ToArray();
    private static readonly byte[] ReasonField = "\"reason\":\""u8.ToArray();

    public static ParseResult TryParse(ReadOnlySpan<byte> data, out Response response)
    {
        response = default;
        var headerEnd = data.IndexOf(HeaderEnd);
        if (headerEnd < 0)
        {
            return data.Length > 64 * 1024 ? ParseResult.Invalid : ParseResult.Incomplete;
        }

        // "HTTP/1.1 200 OK"
        var head = data[..headerEnd];
        var lineEnd = head.IndexOf(CrLf);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' ')
        {
            return ParseResult.Invalid;
        }
        var status = ((statusLine[9] - '0') * 100) + ((statusLine[10] - '0') * 10) + (statusLine[11] - '0');
        if (status is < 100 or > 599)
        {
            return ParseResult.Invalid;
        }

        long contentLength = -1;
        var chunked = false;
        var close = statusLine[7] == (byte)'0';
        string? cache = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(CrLf);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!TryParseLong(value, out contentLength))
                {
                    return ParseResult.Invalid;
                }
            }
            else if (name.Length == 17 && Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
            else if (name.Length == 7 && Ascii.EqualsIgnoreCase(name, "X-Cache"u8))
            {
                cache = value.SequenceEqual("hit"u8) ? "hit"
                    : value.SequenceEqual("miss"u8) ? "miss"
                    : value.SequenceEqual("stale"u8) ? "stale"
                    : Encoding.ASCII.GetString(value);
            }
        }

        var bodyStart = headerEnd + 4;
        int total;
        ReadOnlySpan<byte> body;
        if (chunked)
        {
            var result = ChunkedEnd(data[bodyStart..], out var bodyLength);
            if (result != ParseResult.Complete)
            {
                return result;
            }
            total = bodyStart + bodyLength;
            body = data[bodyStart..total];
        }
        else if (contentLength >= 0)
        {
            if (data.Length - bodyStart < contentLength)
            {
                return ParseResult.Incomplete;
            }
            total = bodyStart + (int)contentLength;
            body = data[bodyStart..total];
        }
        else if (status is 204 or 304 || status < 200)
        {
            total = bodyStart;
            body = [];
        }
        else
        {
            // A body that ends when the connection closes: not something Kestrel sends on keep-alive.
            return ParseResult.Invalid;
        }

        string? problem = null;
        if (status is < 200 or >= 300)
        {
            // The problem's type without its namespace ("urn:capacity:problem:server-busy" -> "server-busy"), and its
            // reason when it has one ("server-busy/full").
            problem = JsonString(body, TypeField);
            if (problem is not null)
            {
                problem = problem[(problem.LastIndexOfAny([':', '/']) + 1)..];
                if (JsonString(body, ReasonField) is { } reason)
                {
                    problem += "/" + reason;
                }
            }
        }
        response = new Response(status, cache, problem, close, total);
        return ParseResult.Complete;
    }

    /// <summary>The value of a short JSON string field found by its text, or null.</summary>
    private static string? JsonString(ReadOnlySpan<byte> body, ReadOnlySpan<byte> field)
    {
        var at = body.IndexOf(field);
        if (at < 0)
        {
            return null;
        }
        var value = body[(at + field.Length)..];
        var quote = value.IndexOf((byte)'"');
        return quote is > 0 and <= 80 ? Encoding.ASCII.GetString(value[..quote]) : null;
    }

    /// <summary>Where a chunked body ends (after the last chunk and its empty trailer), or Incomplete.</summary>
    private static ParseResult ChunkedEnd(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        var at = 0;
        while (true)
        {
            var lineEnd = data[at..].IndexOf(CrLf);
            if (lineEnd < 0)
            {
                return data.Length - at > 1024 ? ParseResult.Invalid : ParseResult.Incomplete;
            }
            var sizeText = data.Slice(at, lineEnd);
            var semicolon = sizeText.IndexOf((byte)';');
            if (semicolon >= 0)
            {
                sizeText = sizeText[..semicolon];
            }
            if (!TryParseHex(sizeText.Trim((byte)' '), out var size))
            {
                return ParseResult.Invalid;
            }
            at += lineEnd + 2;
            if (size == 0)
            {
                // Trailers (none from Kestrel here), then an empty line.
                while (true)
                {
                    var end = data[at..].IndexOf(CrLf);
                    if (end < 0)
                    {
                        return ParseResult.Incomplete;
                    }
                    at += end + 2;
                    if (end == 0)
                    {
                        length = at;
                        return ParseResult.Complete;
                    }
                }
            }
            if (data.Length - at < size + 2)
            {
                return ParseResult.Incomplete;
            }
            at += (int)size + 2;
        }
    }

    private static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 12)
        {
            return false;
        }
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            value = (value * 10) + (b - '0');
        }
        return true;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 8)
        {
            return false;
        }
        foreach (var b in text)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }
            value = (value * 16) + digit;
        }
        return true;
    }
}
