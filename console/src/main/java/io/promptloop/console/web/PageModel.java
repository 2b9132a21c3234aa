package io.promptloop.console.web;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every page's frame shows: who is logged in, and whether the action buttons are offered. */
@ControllerAdvice
class PageModel {

    @ModelAttribute("user")
    String user(Authentication authentication) {
        return authentication == null ? null : authentication.getName();
    }

    @ModelAttribute("operator")
    boolean operator(Authentication authentication) {
        return authentication != null
                && authentication.getAuthorities().stream()
                        .map(GrantedAuthority::getAuthority)
                        .anyMatch("ROLE_OPERATOR"::equals);
    }
}
