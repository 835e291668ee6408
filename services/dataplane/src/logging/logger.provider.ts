import { createLogger } from '@plumbline/common';

export const LOGGER = Symbol('LOGGER');
export const rootLogger = createLogger('dataplane');
export const loggerProvider = { provide: LOGGER, useValue: rootLogger };
