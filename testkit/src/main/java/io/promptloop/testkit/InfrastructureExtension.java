package io.promptloop.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Makes sure the JVM's {@link PromptloopInfrastructure#shared() shared infrastructure} runs before a test
 * class starts (so a Spring context built for the class finds it), and hands it to test methods and
 * constructors that declare a {@link PromptloopInfrastructure} parameter.
 */
public final class InfrastructureExtension implements BeforeAllCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        PromptloopInfrastructure.shared();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PromptloopInfrastructure.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return PromptloopInfrastructure.shared();
    }
}
