# syntax=docker/dockerfile:1
#
# snowhook container image. Build: docker build -t snowhook .
# No HEALTHCHECK: Kubernetes probes /actuator/health/liveness and /readiness on the management port 8081
# (deploy/deployment.yaml).
#
# The base images are build arguments, so that a mirror or a locally made base needs no edit here
# (scripts/image.sh builds with Debian bases made by debootstrap): the build stage needs a JDK 17+ and a
# shell; the runtime stage a JRE 17+ whose dynamic CDS dump works (Java 25 does; Debian's 17.0.15 crashes in
# it, see scripts/cds.sh), a shell, groupadd/useradd and sleep (the Deployment's preStop hook).
ARG BUILD_IMAGE=eclipse-temurin:17-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre

# --- build: the same Maven build as the README, with the project's own wrapper --------------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /workspace
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/ src/
# The Maven repository is a build cache, never part of an image layer.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B package -DskipTests
# Split the Spring Boot jar into its layers (dependencies change rarely, the application often) so that
# image layers are reused across releases: a thin snowhook.jar whose manifest names lib/*.jar (no nested-jar
# reading at run time), the layout a Class Data Sharing archive needs (classes from plain jars).
RUN java -Djarmode=tools -jar target/snowhook.jar extract --layers --destination /workspace/extracted

# --- runtime: a JRE only, no build tools, no shell needed by the application -----------------------------
# The newest LTS JRE runs the Java 17 bytecode; from Java 24 on, virtual threads no longer pin their
# carrier thread inside synchronized blocks (JDBC drivers use them), so they are safe to switch on.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
# A fixed numeric non-root user, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup. Its
# home is /tmp, the one path that is writable on a read-only root (the Snowflake driver keeps a cache there).
# /app/data holds the embedded defaults' files (the H2 load store, the DuckDB warehouse and its stage):
# owned by that user, and a volume, so that the image starts on its defaults even with a read-only root.
RUN groupadd --system --gid 10001 snowhook \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home snowhook \
    && mkdir /app/data && chown 10001:10001 /app/data
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./
# Heap sized from the container's memory limit, not the node's; /tmp (an emptyDir in Kubernetes) for the
# DuckDB and Snowflake drivers' spill files; java.nio opened for the Snowflake driver's Arrow result reader.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp --add-opens=java.base/java.nio=ALL-UNNAMED" \
    SPRING_THREADS_VIRTUAL_ENABLED=true \
    SERVER_ADDRESS=0.0.0.0 \
    SERVER_PORT=8080 \
    MANAGEMENT_SERVER_ADDRESS=0.0.0.0 \
    MANAGEMENT_SERVER_PORT=8081 \
    HOME=/tmp
# Class Data Sharing (Spring Boot's documented way): a training run of this JRE, with the image's settings,
# stops once the context is refreshed (every bean created, validated, connected; no port opened) and
# archives the classes it loaded; the ENTRYPOINT maps them from snowhook.jsa instead of loading them again.
# Only the two credentials (throw-away values of this run, not the image's: it refuses 0.0.0.0 without them)
# and a throw-away data folder are its own; nothing is left in /tmp or /app/data. The storage account is not
# contacted before the refresh ends. A JVM that cannot use the archive starts without it, only slower.
RUN SNOWHOOK_SECURITY_INTAKE_TOKEN=cds-training-run-intake \
    SNOWHOOK_SECURITY_OPERATOR_TOKEN=cds-training-run-operator \
    SPRING_DATASOURCE_URL="jdbc:h2:file:/tmp/cds-training/snowhook-ledger;AUTO_SERVER=FALSE" \
    SNOWHOOK_WAREHOUSE_DUCKDB_PATH=/tmp/cds-training/warehouse.duckdb \
    SNOWHOOK_WAREHOUSE_DUCKDB_STAGE=/tmp/cds-training/stage \
    java -XX:ArchiveClassesAtExit=snowhook.jsa -Dspring.context.exit=onRefresh -jar snowhook.jar \
    && test -s snowhook.jsa && test -z "$(ls -A /app/data)" && find /tmp -mindepth 1 -delete
USER 10001:10001
# 8080: the API (POST /events…); 8081: the actuator (health probes, Prometheus), with threads of its own.
EXPOSE 8080 8081
VOLUME ["/app/data"]
ENTRYPOINT ["java", "-XX:SharedArchiveFile=snowhook.jsa", "-jar", "snowhook.jar"]
