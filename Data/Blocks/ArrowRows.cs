namespace RayGen.Data.Blocks;

/// <summary>Arrow record batches for rows of primitive and string fields.</summary>
internal sealed class ArrowRows<T>
{
    public static ArrowRows<T>? TryCreate() => null;

    public byte[] Encode(T[] rows) => throw new System.NotSupportedException();

    public T[] Decode(byte[] bytes) => throw new System.NotSupportedException();
}
