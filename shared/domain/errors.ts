/** Errors of the domain. Each carries a Vietnamese message meant for people. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The period id is not one the calendar knows. */
export class UnknownPeriodError extends DomainError {
  override name = 'UnknownPeriodError';
}

/** Someone asked for a monthly report, which the letter rules out. */
export class MonthlyReportError extends DomainError {
  override name = 'MonthlyReportError';
}

/** The unit code is not in the registry. */
export class UnknownUnitError extends DomainError {
  override name = 'UnknownUnitError';
}

/** A form id/version, or a kind, that the product does not have. */
export class UnknownFormError extends DomainError {
  override name = 'UnknownFormError';
}
