using Capacity.Application.Members;
using QRCoder;

namespace Capacity.Infrastructure.Members;

/// <summary>QR codes as PNG through QRCoder's own PNG writer (no System.Drawing): error correction M, 6 px modules with the standard quiet zone.</summary>
internal sealed class QrCoderRenderer : IQrRenderer
{
    public byte[] Png(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(6);
    }
}
