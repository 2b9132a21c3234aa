package io.promptloop.support.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The HTTP users of a service ({@code promptloop.security.users[i]}, or {@code PROMPTLOOP_SECURITY_USERS_0_NAME}
 * ...), validated at start-up: a service without a user, or with a password lacking its encoding, does not start.
 */
@Validated
@ConfigurationProperties("promptloop.security")
public record SecurityProperties(
        @DefaultValue @NotEmpty(message = "configure at least one user in promptloop.security.users") @Valid
        List<User> users) {

    /** Reads everything in the API. */
    public static final String READER = "READER";
    /** Changes things: starts runs and tests, registers instructions. */
    public static final String OPERATOR = "OPERATOR";

    /**
     * @param name user name
     * @param password password with its encoding prefix: {@code {bcrypt}...}, {@code {noop}...} (development only)
     * @param roles {@code READER} (read), {@code OPERATOR} (read and act)
     */
    public record User(
            @NotNull @Pattern(regexp = "[A-Za-z0-9_.@-]{1,64}")
            String name,

            @NotNull
            @Pattern(
                    regexp = "\\{[a-z0-9]+}.+",
                    message = "must start with an encoding prefix such as {bcrypt} or {noop}")
            String password,

            @DefaultValue(READER) @NotEmpty List<@Pattern(regexp = READER + "|" + OPERATOR) String> roles) {

        @Override
        public String toString() {
            return "User[name=" + name + ", roles=" + roles + "]";
        }
    }
}
