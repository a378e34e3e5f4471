package io.imsystem.web;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a browser test class off, with the reason in the test report, where no Chromium is
 * installed: before the app is started for it and before any of its setup runs. Under
 * {@code CI=true} the class always runs, so that a missing browser fails the build
 * ({@link Browser#assumeInstalled()}) instead of silently dropping the browser tests.
 */
final class BrowserInstalled implements ExecutionCondition {

	private static final Logger logger = LoggerFactory.getLogger(BrowserInstalled.class);

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		if (Browser.isInstalled()) {
			return ConditionEvaluationResult.enabled("Chromium and chromedriver are installed");
		}
		if (Browser.isCi()) {
			return ConditionEvaluationResult.enabled("CI=true: a missing browser fails the build");
		}
		String reason = Browser.missing() + "; set CI=true to make this a failure";
		if (context.getTestMethod().isEmpty()) {
			// The build's summary counts skipped tests but does not print why.
			logger.warn("Skipping {}: {}", context.getDisplayName(), reason);
		}
		return ConditionEvaluationResult.disabled(reason);
	}

}
