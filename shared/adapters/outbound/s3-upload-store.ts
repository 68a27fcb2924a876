import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ObjectHead, ObjectRef, PresignedPost, UploadStore } from '../../application/ports.js';

export class ObjectTooLargeError extends Error {
  override name = 'ObjectTooLargeError';
}

/**
 * UploadStore on S3. `presignClient` signs the POST policies that browsers send straight to S3 (on the
 * local stack it points at the public POST-policy front); `client` does the server's own reads and writes.
 */
export class S3UploadStore implements UploadStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly presignClient: S3Client = client,
  ) {}

  async presignPost(opts: { key: string; contentType: string; maxBytes: number; expiresInSeconds: number }): Promise<PresignedPost> {
    const expiresAt = new Date(Date.now() + opts.expiresInSeconds * 1000).toISOString();
    // Loaded on first use: only the API signs POST policies, and the validator should not pay for it.
    const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');
    const { url, fields } = await createPresignedPost(this.presignClient, {
      Bucket: this.bucket,
      Key: opts.key,
      Conditions: [{ bucket: this.bucket }, ['eq', '$key', opts.key], ['eq', '$Content-Type', opts.contentType], ['content-length-range', 1, opts.maxBytes]],
      Fields: { 'Content-Type': opts.contentType },
      Expires: opts.expiresInSeconds,
    });
    return { url, fields, expiresAt };
  }

  async head(ref: ObjectRef): Promise<ObjectHead | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: ref.key, VersionId: ref.versionId }));
      return {
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        versionId: out.VersionId,
        contentType: out.ContentType,
      };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (err as { name?: string }).name === 'NotFound' || (err as { name?: string }).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  async get(ref: ObjectRef, maxBytes: number): Promise<Uint8Array> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: ref.key, VersionId: ref.versionId }));
    if (!out.Body) return new Uint8Array();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        (out.Body as { destroy?: () => void }).destroy?.();
        throw new ObjectTooLargeError(`Object ${ref.key} is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  async list(prefix: string): Promise<{ key: string; size: number; lastModified: Date; versionId?: string }[]> {
    const out: { key: string; size: number; lastModified: Date }[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async presignGet(key: string, expiresInSeconds: number, fileName?: string): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: fileName ? `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"` : undefined,
    });
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    return getSignedUrl(this.presignClient, command, { expiresIn: expiresInSeconds });
  }
}
