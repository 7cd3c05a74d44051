package io.snowhook.system;

import org.apache.catalina.Container;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Tomcat's own rejections answer problem details ({@link ProblemErrorReportValve}) on the application
 * port; the management port gets the same through {@link ManagementServer}.
 */
@Component
class TomcatHardening implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            Container parent = context.getParent();
            if (parent instanceof StandardHost host) {
                ProblemErrorReportValve valve = new ProblemErrorReportValve();
                host.getPipeline().addValve(valve);
                // StandardHost adds a valve of this class at start unless one is there already: ours.
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }
}
