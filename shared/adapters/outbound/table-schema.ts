/**
 * The single DynamoDB table, described once as plain data: the CDK stateful stack and the local stack
 * both create it from here, so keys and indexes never drift.
 *
 * Items (pk / sk):
 * - upload intent        UPLOAD#{uploadId}            / META
 * - submission result    PERIOD#{periodId}            / SUB#{unitCode}#{objectId}      gsi1: UNIT#{unitCode} / {receivedAt}#{objectId}
 * - current (on time)    PERIOD#{periodId}            / CURRENT#{unitCode}#{kind}
 * - latest late valid    PERIOD#{periodId}            / LATE#{unitCode}#{kind}
 * - period state         PERIOD#{periodId}            / STATE
 * - deadline extension   PERIOD#{periodId}            / EXT#{unitCode}
 * - outbox message       MAIL#{messageId}             / MAIL                           gsi2: OUTBOX#PENDING / {createdAt} (only while pending)
 * - access token         TOKEN#{sha256(token)}        / TOKEN                          gsi1: UNITTOKENS#{unitCode} / {createdAt}#{tokenId}
 * - address problem      ADDRESS#{email}              / STATUS   (SES bounce or complaint)
 * - upload intents are also on gsi1: INTENTS#{periodId} / {unitCode}#{requestedAt}#{uploadId}
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

/** CreateTable input for the local emulator (on-demand billing, string keys). */
export function createTableInput(tableName: string) {
  const attrs = [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, ...TABLE_SCHEMA.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attrs.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
