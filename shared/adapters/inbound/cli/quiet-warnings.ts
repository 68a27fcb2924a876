/**
 * The AWS SDK warns that releases after early 2027 need Node ≥ 22 (local-aws.md, trap 8). The local
 * tools run on Node 20 by design (the Lambdas run nodejs22.x); the SDK's own switch turns that one
 * warning off. Call before the first client is built.
 */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
