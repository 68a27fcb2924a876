/**
 * The benchmark's floor: a handler that only creates the S3, DynamoDB and SES clients (and names the
 * one command each of ours needs at least), bundled with the construct's options. No function of the
 * product can carry less.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';

const s3 = new S3Client({});
const db = new DynamoDBClient({});
const ses = new SESClient({});

export const handler = async (): Promise<number> => [s3, db, ses, GetObjectCommand, PutItemCommand, SendRawEmailCommand].length;
