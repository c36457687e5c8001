using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Capacity.IntegrationTests.Fixtures;

/// <summary>
/// One HTTP/1.1 POST over a plain socket that reads the response while it is still sending the body.
/// HttpClient stops at its first failed write, so it never shows the 413 a server sends before it closes
/// the connection on an oversized upload; a browser or curl does show it, and so does this.
/// </summary>
public static class RawHttp
{
    private const int SliceBytes = 64 * 1024;

    public static async Task<HttpResponseMessage> PostJsonAsync(
        Uri baseAddress, string path, byte[] body, bool chunked, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port, timeout.Token);
        var stream = client.GetStream();

        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {path} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {baseAddress.Authority}\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), timeout.Token);

        var reading = ReadResponseAsync(stream, timeout.Token);
        await SendBodyAsync(stream, body, chunked, reading, timeout.Token);
        return await reading;
    }

    private static async Task SendBodyAsync(NetworkStream stream, byte[] body, bool chunked, Task answered, CancellationToken cancellationToken)
    {
        try
        {
            for (var offset = 0; offset < body.Length && !answered.IsCompleted; offset += SliceBytes)
            {
                var slice = body.AsMemory(offset, Math.Min(SliceBytes, body.Length - offset));
                if (chunked)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{slice.Length:x}\r\n"), cancellationToken);
                }

                await stream.WriteAsync(slice, cancellationToken);
                if (chunked)
                {
                    await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
                }
            }

            if (chunked && !answered.IsCompleted)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
            }
        }
        catch (IOException)
        {
            // The server answered and closed the connection while the body was still going out; the answer is
            // what the test reads, so the broken pipe is the expected end of the upload.
        }
    }

    private static async Task<HttpResponseMessage> ReadResponseAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            if (TryParse(received.ToArray()) is { } response)
            {
                return response;
            }

            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cancellationToken);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException(
                    $"Connection reset before a whole response arrived: {Encoding.ASCII.GetString(received.ToArray())}", e);
            }

            if (read == 0)
            {
                throw new InvalidOperationException(
                    $"Connection closed before a whole response arrived: {Encoding.ASCII.GetString(received.ToArray())}");
            }

            received.Write(buffer, 0, read);
        }
    }

    /// <summary>The response once its head and whole body (Content-Length or chunked) are in; else null.</summary>
    private static HttpResponseMessage? TryParse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            return null;
        }

        var lines = text[..headEnd].Split("\r\n");
        var status = (HttpStatusCode)int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var fields = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .ToLookup(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var rest = text[(headEnd + 4)..];

        string body;
        if (fields["Transfer-Encoding"].Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            var decoded = new StringBuilder();
            var position = 0;
            while (true)
            {
                var sizeEnd = rest.IndexOf("\r\n", position, StringComparison.Ordinal);
                if (sizeEnd < 0)
                {
                    return null;
                }

                var size = int.Parse(rest[position..sizeEnd].Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    break;
                }

                if (rest.Length < sizeEnd + 2 + size + 2)
                {
                    return null;
                }

                decoded.Append(rest, sizeEnd + 2, size);
                position = sizeEnd + 2 + size + 2;
            }

            body = decoded.ToString();
        }
        else
        {
            var length = int.Parse(fields["Content-Length"].FirstOrDefault() ?? "0", CultureInfo.InvariantCulture);
            if (rest.Length < length)
            {
                return null;
            }

            body = rest[..length];
        }

        var response = new HttpResponseMessage(status)
        {
            Content = new ByteArrayContent(Encoding.Latin1.GetBytes(body)),
        };
        if (fields["Content-Type"].FirstOrDefault() is { } contentType)
        {
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var connection in fields["Connection"])
        {
            response.Headers.TryAddWithoutValidation("Connection", connection);
        }

        return response;
    }
}
